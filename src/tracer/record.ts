// record(): trace a workload and write the recording (optionally merged into an existing one).
import { openRecordingOutput } from '../recording/output.js';
import type { Recording } from '../recording/schema.js';
import type { EbpfRecorder as EbpfRecorderType } from './ebpf/recorder.js';
import { type TraceOptions, type TraceResult, trace } from './index.js';

/** Which recorder runs the workload. `auto`: eBPF when the kernel lets us load it, else ptrace. */
export type Backend = 'ptrace' | 'ebpf' | 'auto';
export const BACKENDS: readonly Backend[] = ['ptrace', 'ebpf', 'auto'];

export interface RecordOptions extends Omit<TraceOptions, 'filter' | 'onTraceStop'> {
  /** Where the recording goes (written atomically). */
  readonly output: string;
  /**
   * Merge into `output` if it exists (counts add up, runs are kept), instead of replacing it; under a
   * lock, so parallel runs appending to one file are all kept.
   */
  readonly append?: boolean;
  /** Default 'ptrace' (rootless, works everywhere); 'ebpf' needs root. */
  readonly backend?: Backend;
}

export interface RecordResult extends TraceResult {
  /** What was written: the run's recording, or the merge when appending. */
  readonly written: Recording;
  readonly output: string;
  /** The backend that recorded the run. */
  readonly backend: 'ptrace' | 'ebpf';
  /** With `auto`, why eBPF could not be used (ptrace recorded instead). */
  readonly fallbackReason?: string;
}

/**
 * trace() with a given backend (the eBPF one loaded on use). `recorder`: an open eBPF session to
 * use, e.g. the one `auto` opened to see whether the kernel accepts it.
 */
export async function traceBy(
  backend: 'ptrace' | 'ebpf',
  opts: TraceOptions,
  recorder?: EbpfRecorderType,
): Promise<TraceResult> {
  if (backend === 'ptrace') return trace(opts);
  return (await import('./ebpf/record.js')).traceEbpf(opts, recorder);
}

/** Runs the workload with the chosen backend. */
async function traceWith(
  opts: RecordOptions,
): Promise<{ result: TraceResult; backend: 'ptrace' | 'ebpf'; fallbackReason?: string }> {
  const backend = opts.backend ?? 'ptrace';
  if (backend !== 'auto') return { result: await traceBy(backend, opts), backend };
  // auto: opening the recorder is the test of whether the kernel accepts it.
  const { EbpfRecorder } = await import('./ebpf/recorder.js');
  const opened = EbpfRecorder.openOrReason();
  if (typeof opened === 'string')
    return { result: await trace(opts), backend: 'ptrace', fallbackReason: opened };
  return { result: await traceBy('ebpf', opts, opened), backend: 'ebpf' };
}

/** Traces `argv` and writes the recording. The output path is checked before the workload runs. */
export async function record(opts: RecordOptions): Promise<RecordResult> {
  // Reserved now (temp file created, an appended-to recording validated), written after the run.
  const out = await openRecordingOutput(opts.output, { append: opts.append === true });
  try {
    const { result, backend, fallbackReason } = await traceWith(opts);
    const written = await out.write(result.recording);
    return {
      ...result,
      written,
      output: opts.output,
      backend,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
  } finally {
    out.discard();
  }
}
