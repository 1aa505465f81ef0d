// What crosses the boundary between trace() on the main thread and the tracing worker thread.
import type { FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';

export type { CountScope, FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';

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
  /** Set no_new_privs before installing the filter; false needs CAP_SYS_ADMIN (TraceOptions). */
  readonly noNewPrivileges: boolean;
  /** Count container processes and marked stops apart (TraceOptions.scopes). */
  readonly scopes: ScopeOptions | undefined;
  /** See SHARED_* below. */
  readonly shared: SharedArrayBuffer;
}

/** Layout of the shared Int32Array: flags and counters, then one slot per live tracee tid (0 = free). */
export const SHARED_ABORT = 0;
export const SHARED_DISTINCT = 1;
export const SHARED_PROCESSES = 2;
export const SHARED_PINNED = 3;
/** 0 while the first process runs; then its wait status + 1 (it may exit long before its children). */
export const SHARED_ROOT_EXIT = 4;
export const SHARED_SLOTS = 8;
export const SHARED_CAPACITY = SHARED_SLOTS + 32768;

/**
 * Telling a container's processes apart from the runtime that starts them (TraceOptions.scopes).
 * A process is `contained` from its first exec in a root directory other than the tracer's (the
 * container's entrypoint after pivot_root), and so are its descendants. A stop is `marked` when
 * the filter that decided it returned SECCOMP_RET_TRACE with `marker` as data: a filter stacked
 * after ours (the container's own) traced it, so it ran after that filter was loaded.
 */
export interface ScopeOptions {
  /** 1..0xffff: the data of the container filter's RET_TRACE; undefined: no stop is marked. */
  readonly marker?: number;
}

export type WorkerMessage =
  | {
      readonly type: 'done';
      readonly outcome: TraceOutcome;
      readonly raw: RawTrace;
      readonly filterEvents: readonly FilterEvent[];
    }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly exitCode?: number };
