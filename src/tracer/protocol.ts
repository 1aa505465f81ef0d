// What crosses the boundary between trace() on the main thread and the tracing worker thread.
import type { Arch } from '../arch/index.js';

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

/** A syscall the filter acted on in-kernel (kill, or trap that raised SIGSYS). */
export interface FilterEvent {
  readonly kind: 'killed' | 'trapped';
  /** Process id (thread-group id) of the caller. */
  readonly pid: number;
  readonly executable: string;
  readonly arch: Arch;
  readonly nr: number;
  readonly name: string;
  /** The six syscall arguments, as hex strings (`0x…`). */
  readonly args: readonly string[];
}

/** How the traced workload ended. */
export type TraceOutcome =
  | { readonly status: 'exited'; readonly code: number }
  | { readonly status: 'signaled'; readonly signal: string; readonly number: number }
  | { readonly status: 'killed-by-filter'; readonly event: FilterEvent }
  | { readonly status: 'interrupted' };

/** Raw counters the worker collected; src/recording/builder.ts turns them into a Recording. */
export interface RawTrace {
  /** [executable, arch, nr, count] */
  readonly counts: readonly (readonly [string, Arch, number, number])[];
  /** [arch, syscall name, values (field → value), count] per distinct tuple. */
  readonly args: readonly (readonly [Arch, string, Readonly<Record<string, number>>, number])[];
  /** [arch, syscall name] whose value list hit MAX_ARG_VALUES. */
  readonly argsTruncated: readonly (readonly [Arch, string])[];
  /** [path, count] of successful execs, the workload's own first exec included. */
  readonly execs: readonly (readonly [string, number])[];
  readonly processes: number;
  readonly threads: number;
  /** Whether tracer and tracees were pinned to one CPU at the end (unpinned on a second thread). */
  readonly pinned: boolean;
}

export type WorkerMessage =
  | {
      readonly type: 'done';
      readonly outcome: TraceOutcome;
      readonly raw: RawTrace;
      readonly filterEvents: readonly FilterEvent[];
    }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly exitCode?: number };
