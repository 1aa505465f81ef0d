// What a tracer hands the recording: raw counters, how the workload ended, and what the filter did.
// Any tracer backend produces these; src/recording/builder.ts turns them into a Recording.
import type { Arch } from '../arch/index.js';

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
  /** With TraceOptions.scopes: the process was inside the container (see ScopeOptions). */
  readonly contained?: boolean;
  /** With TraceOptions.scopes: the thread's name (/proc/TID/comm), e.g. `runc:[2:INIT]`. */
  readonly comm?: string;
}

/** Where a count belongs: a contained process, or a marked stop of a process that is not. */
export type CountScope = 'contained' | 'marked';

/** A process still running when the run ended (its main process gone, the grace period over). */
export interface EndedProcess {
  readonly pid: number;
  readonly executable: string;
}

/** How the traced workload ended. */
export type TraceOutcome =
  | { readonly status: 'exited'; readonly code: number }
  | { readonly status: 'signaled'; readonly signal: string; readonly number: number }
  | { readonly status: 'killed-by-filter'; readonly event: FilterEvent }
  /** The tracer killed the main process: an AbortSignal, or a second stop signal / the grace period after the first. */
  | { readonly status: 'interrupted' };

/** Raw counters the worker collected; src/recording/builder.ts turns them into a Recording. */
export interface RawTrace {
  /** [executable, arch, nr, count], plus the scope with TraceOptions.scopes (none: neither). */
  readonly counts: readonly (readonly [string, Arch, number, number, CountScope?])[];
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
