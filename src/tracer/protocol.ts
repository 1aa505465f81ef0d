// What crosses the boundary between trace() on the main thread and the tracing worker thread.
import type { FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';

export type { FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';

/** Input of the worker (structured-cloned). */
export interface WorkerInput {
  readonly nodePath: string;
  readonly launcherPath: string;
  /** The compiled launcher.c, when the build made one (tried first; the Node launcher is the fallback). */
  readonly nativeLauncherPath: string | undefined;
  /** Resolved absolute path of the workload's executable. */
  readonly path: string;
  readonly argv: readonly string[];
  /** `NAME=value` strings, in order. */
  readonly env: readonly string[];
  readonly cwd: string;
  readonly filter: Uint8Array;
  readonly onTraceStop: 'continue' | { readonly errno: number };
  readonly pin: boolean;
  /** See SHARED_* below. */
  readonly shared: SharedArrayBuffer;
}

/** Layout of the shared Int32Array: flags and counters, then one slot per live tracee tid (0 = free). */
export const SHARED_ABORT = 0;
export const SHARED_DISTINCT = 1;
export const SHARED_PROCESSES = 2;
export const SHARED_PINNED = 3;
export const SHARED_SLOTS = 8;
export const SHARED_CAPACITY = SHARED_SLOTS + 32768;

export type WorkerMessage =
  | {
      readonly type: 'done';
      readonly outcome: TraceOutcome;
      readonly raw: RawTrace;
      readonly filterEvents: readonly FilterEvent[];
    }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly exitCode?: number };
