// The signals a terminal user stops a program with, caught for the whole of a command so that
// trace() can pass them on to the workload (src/tracer/supervisor.ts) instead of the profiler dying
// with its recording unwritten.
import { constants } from 'node:os';

/** SIGHUP, SIGINT, SIGQUIT and SIGTERM: the signals passed on to the workload. */
export type StopSignal = 'SIGHUP' | 'SIGINT' | 'SIGQUIT' | 'SIGTERM';
export const STOP_SIGNAL_NAMES: readonly StopSignal[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'];

/** Stop signals sent to this process, for trace() to act on (TraceOptions.interrupts). */
export interface Interrupts {
  /** Those received so far, in order (pass-only ones left out). */
  readonly received: readonly StopSignal[];
  /**
   * Signals this process inherited ignored (SIGHUP under nohup): they are only passed on, as the
   * workload may have set a handler for them; they never end the run.
   */
  readonly passOnly: readonly StopSignal[];
  /** Calls `listener` for each one from now on; returns a function that stops it. */
  subscribe(listener: (signal: StopSignal) => void): () => void;
  /** Stops catching: the signals act as Node's defaults again. */
  close(): void;
}

/** 128 + the signal's number: how a shell reports a process that signal ended (130 for SIGINT). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Catches SIGHUP, SIGINT, SIGQUIT and SIGTERM sent to this process until close(). Those listed in
 * `ignored` (numbers: what the process inherited ignored, e.g. SIGHUP under nohup) are pass-only:
 * the workload starts with them ignored too, so, as natively, they end nothing unless it chose to
 * handle them.
 */
export function catchInterrupts(options: { readonly ignored?: readonly number[] } = {}): Interrupts {
  const received: StopSignal[] = [];
  const passOnly = STOP_SIGNAL_NAMES.filter((name) => options.ignored?.includes(constants.signals[name]));
  const listeners = new Set<(signal: StopSignal) => void>();
  const handlers = new Map<StopSignal, () => void>();
  for (const name of STOP_SIGNAL_NAMES) {
    const handler = () => {
      if (!passOnly.includes(name)) received.push(name);
      for (const listener of [...listeners]) listener(name);
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    received,
    passOnly,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const [name, handler] of handlers) process.off(name, handler);
      handlers.clear();
      listeners.clear();
    },
  };
}
