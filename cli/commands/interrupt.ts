// SIGINT/SIGTERM end the workload (through the tracer's AbortSignal) instead of killing `profile` mid-run.

/** Runs `fn` with an AbortSignal that fires on SIGINT or SIGTERM; handlers are removed afterwards. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
