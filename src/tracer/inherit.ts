// What a workload inherits from the profiler besides argv and env: file descriptors at the same
// numbers, and ignored signal dispositions. Node changes both at start-up, before any JS runs: it
// marks inherited fds close-on-exec (0–15 and on to the first gap), puts /dev/null on a closed
// stdio fd, and resets inherited SIG_IGN dispositions to the default. So the `profile` executable
// snapshots them first (cli/entry.cjs) and leaves the snapshot here; a library caller passes its own.

/** What the workload gets from the profiler's process. */
export interface Inheritance {
  /** Fds the workload gets at the same numbers (ones not open when it starts are left out); every other fd, stdio included, is closed for it. */
  readonly fds: readonly number[];
  /** Signals the workload starts with ignored (as under `nohup` or `trap '' INT`); the rest get the default. */
  readonly ignoredSignals: readonly number[];
}

/** The default for library callers: the calling process's stdio, no signal ignored. */
export const STDIO_ONLY: Inheritance = { fds: [0, 1, 2], ignoredSignals: [] };

/** Where cli/entry.cjs leaves its snapshot (a global: the CLI bundle runs in the same context). */
const SNAPSHOT = Symbol.for('seccomp-profiler.inherited');

/**
 * What this process inherited from its parent, as the `profile` executable saw it at start-up
 * (cli/entry.cjs); STDIO_ONLY in a process it did not start.
 */
export function inheritedByThisProcess(): Inheritance {
  const snap = (globalThis as Record<symbol, unknown>)[SNAPSHOT] as Partial<Inheritance> | undefined;
  if (!snap || !Array.isArray(snap.fds) || !Array.isArray(snap.ignoredSignals)) return STDIO_ONLY;
  return { fds: [...snap.fds], ignoredSignals: [...snap.ignoredSignals] };
}
