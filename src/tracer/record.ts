// record(): trace a workload and write the recording (optionally merged into an existing one).
import { existsSync } from 'node:fs';
import { writeRecordingFile } from '../recording/format.js';
import type { Recording } from '../recording/schema.js';
import { assertWritable } from '../util/atomic-write.js';
import { type TraceOptions, type TraceResult, trace } from './index.js';

export interface RecordOptions extends Omit<TraceOptions, 'filter' | 'onTraceStop'> {
  /** Where the recording goes (written atomically). */
  readonly output: string;
  /** Merge into `output` if it exists (counts add up, runs are kept), instead of replacing it. */
  readonly append?: boolean;
}

export interface RecordResult extends TraceResult {
  /** What was written: the run's recording, or the merge when appending. */
  readonly written: Recording;
  readonly output: string;
}

/** Traces `argv` and writes the recording. The output path is checked before the workload runs. */
export async function record(opts: RecordOptions): Promise<RecordResult> {
  assertWritable(opts.output);
  // Validating and merging need the schema library; load it only when appending.
  const previous =
    opts.append && existsSync(opts.output)
      ? (await import('../recording/io.js')).readRecording(opts.output)
      : undefined;
  const result = await trace(opts);
  const written = previous
    ? (await import('../recording/merge.js')).mergeRecordings([previous, result.recording])
    : result.recording;
  writeRecordingFile(opts.output, written);
  return { ...result, written, output: opts.output };
}
