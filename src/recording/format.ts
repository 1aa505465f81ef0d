// The recording's identity, without the schema library: code that only writes recordings
// (the tracer, `profile record`) should not pay for loading zod at start-up.
import { writeFileAtomic } from '../util/atomic-write.js';

export const RECORDING_FORMAT = 'seccomp-profiler.recording';
export const RECORDING_VERSION = 1;

/** Writes a recording atomically (temp file + rename); `recording` is trusted, not re-validated. */
export function writeRecordingFile(path: string, recording: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(recording, null, 2)}\n`);
}
