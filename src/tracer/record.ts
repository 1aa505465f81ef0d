// record(): trace a workload and write the recording (optionally merged into an existing one).
import { openRecordingOutput } from '../recording/output.js';
import type { Recording } from '../recording/schema.js';
import { type TraceOptions, type TraceResult, trace } from './index.js';

export interface RecordOptions extends Omit<TraceOptions, 'filter' | 'onTraceStop'> {
  /** Where the recording goes (written atomically). */
  readonly output: string;
  /**
   * Merge into `output` if it exists (counts add up, runs are kept), instead of replacing it; under a
   * lock, so parallel runs appending to one file are all kept.
   */
  readonly append?: boolean;
}

export interface RecordResult extends TraceResult {
  /** What was written: the run's recording, or the merge when appending. */
  readonly written: Recording;
  readonly output: string;
}

/** Traces `argv` and writes the recording. The output path is checked before the workload runs. */
export async function record(opts: RecordOptions): Promise<RecordResult> {
  // Reserved now (temp file created, an appended-to recording validated), written after the run.
  const out = await openRecordingOutput(opts.output, { append: opts.append === true });
  try {
    const result = await trace(opts);
    const written = await out.write(result.recording);
    return { ...result, written, output: opts.output };
  } finally {
    out.discard();
  }
}
