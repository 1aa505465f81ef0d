// SIGINT/SIGTERM end the workload (through the tracer's AbortSignal) instead of killing `profile`
// mid-run, so record still writes its partial recording and enforce/check still print their report.

export interface Interruptible {
  readonly signal: AbortSignal;
  /**
   * The exit code for a run the user stopped, as a shell reports a process killed by that signal:
   * 130 for SIGINT, 143 for SIGTERM.
   */
  readonly interruptedExitCode: () => number;
}

/** Runs `fn` with an AbortSignal that fires on SIGINT or SIGTERM; handlers are removed afterwards. */
export async function withInterrupt<T>(fn: (run: Interruptible) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    stoppedBy ??= sig;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn({
      signal: controller.signal,
      interruptedExitCode: () => (stoppedBy === 'SIGTERM' ? 143 : 130),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
