// What crosses the boundary between trace() on the main thread and the tracing worker thread.
import type { EndedProcess, FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';
import type { ByteString } from './job.js';

export type { CountScope, EndedProcess, FilterEvent, RawTrace, TraceOutcome } from '../recording/trace.js';

/** Input of the worker (structured-cloned). */
export interface WorkerInput {
  readonly nodePath: string;
  readonly launcherPath: string;
  /** The compiled launcher.c, when the build made one (tried first; the Node launcher is the fallback). */
  readonly nativeLauncherPath: string | undefined;
  /** Resolved path of the workload's executable (bytes, like argv, env and cwd). */
  readonly path: ByteString;
  readonly argv: readonly ByteString[];
  /** `NAME=value` entries, in order. */
  readonly env: readonly ByteString[];
  /** Where the workload starts; undefined: where this process is (the launcher does not chdir). */
  readonly cwd: ByteString | undefined;
  /** Fds the workload gets at the same numbers (those not open here are left out); the rest are closed. */
  readonly keepFds: readonly number[];
  /** Signals the workload starts with ignored. */
  readonly ignoredSignals: readonly number[];
  readonly filter: Uint8Array;
  readonly onTraceStop: 'continue' | { readonly errno: number };
  readonly pin: boolean;
  /** Set no_new_privs before installing the filter; false needs CAP_SYS_ADMIN (TraceOptions). */
  readonly noNewPrivileges: boolean;
  /** Count container processes and marked stops apart (TraceOptions.scopes). */
  readonly scopes: ScopeOptions | undefined;
  /** The compiled fast-stops.c, when the build made one (the loop's native hot path, fast-stops.ts). */
  readonly fastStopsPath: string | undefined;
  /** See SHARED_* below. */
  readonly shared: SharedArrayBuffer;
  /** Date.now() when the trace started: SHARED_SIGNAL_AT times are milliseconds since then. */
  readonly epochMs: number;
}

/** Layout of the shared Int32Array: flags and counters, then one slot per live tracee tid (0 = free). */
/** Set by the caller's thread: ABORT_KILL ends everything (interrupted), ABORT_END the tracees left. */
export const SHARED_ABORT = 0;
export const ABORT_KILL = 1;
export const ABORT_END = 2;
export const SHARED_DISTINCT = 1;
export const SHARED_PROCESSES = 2;
export const SHARED_PINNED = 3;
/** The root's pid (the launcher's, then the workload's main process). */
export const SHARED_ROOT = 4;
/** STATE_LAUNCHING, then STATE_RUNNING at the workload's exec, STATE_ROOT_GONE (Atomics.notify'd). */
export const SHARED_STATE = 5;
export const STATE_LAUNCHING = 0;
export const STATE_RUNNING = 1;
export const STATE_ROOT_GONE = 2;
/** 0 while the first process runs; then its wait status + 1 (it may exit long before its children). */
export const SHARED_ROOT_EXIT = 6;
/** When the root last got SIGHUP, SIGINT, SIGQUIT, SIGTERM (in that order; ms since epochMs, 0 = never). */
export const SHARED_SIGNAL_AT = 8;
export const STOP_SIGNALS = [1, 2, 3, 15] as const;
export const SHARED_SLOTS = 16;
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
      /** Every process the filter ended (a kill, or a trap left unhandled), in order. */
      readonly filterKills: readonly FilterEvent[];
      /** Processes still running when the run ended, which the tracer then killed. */
      readonly ended: readonly EndedProcess[];
      /** Seccomp stops the native hot path counted (fast-stops.ts); absent without it. */
      readonly nativeStops?: number;
    }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly exitCode?: number };
