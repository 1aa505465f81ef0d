// Where `profile record` writes: the output is reserved before the workload runs (util/output.ts:
// a temp file in the target's directory, symlinks followed, devices written through), and with
// `--append` the existing recording is checked first, then re-read, merged and replaced under a lock
// (util/file-lock.ts), so parallel runs appending to one file are all kept.
import { statSync } from 'node:fs';
import { ProfilerError } from '../errors.js';
import { withFileLock } from '../util/file-lock.js';
import { type ReservedOutput, reserveOutput } from '../util/output.js';
import type { Recording } from './schema.js';

/** A reserved recording output: write() the run's recording once (merged when appending), or discard(). */
export interface RecordingOutput {
  readonly path: string;
  /** Writes `run` (or, appending, the merge of what the file holds now and `run`); returns what was written. */
  write(run: Recording): Promise<Recording>;
  discard(): void;
}

const text = (rec: Recording): string => `${JSON.stringify(rec, null, 2)}\n`;

/** An empty file counts as no recording yet (`: > rec.json` starts afresh). */
const holdsSomething = (path: string): boolean => {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
};

/**
 * Reserves `path` for a recording. With `append`, it must be a file (or not exist yet), and a
 * recording already there is read and validated now, so a corrupt one fails before the workload.
 */
export async function openRecordingOutput(
  path: string,
  options: { append?: boolean } = {},
): Promise<RecordingOutput> {
  const out: ReservedOutput = reserveOutput(path);
  if (!options.append) {
    return {
      path,
      async write(run) {
        out.write(text(run));
        return run;
      },
      discard: () => out.discard(),
    };
  }
  if (out.kind !== 'file') {
    out.discard();
    throw new ProfilerError(
      'USAGE',
      `--append needs a recording file to merge into; ${path} is a ${out.kind}`,
    );
  }
  const { readRecording } = await import('./io.js');
  const { mergeRecordings } = await import('./merge.js');
  const target = out.target;
  try {
    if (holdsSomething(target)) readRecording(target);
  } catch (error) {
    out.discard();
    throw error;
  }
  return {
    path,
    write: (run) =>
      withFileLock(target, () => {
        const previous = holdsSomething(target) ? readRecording(target) : undefined;
        const written = previous ? mergeRecordings([previous, run]) : run;
        out.write(text(written));
        return written;
      }),
    discard: () => out.discard(),
  };
}
