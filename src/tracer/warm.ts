// Booting the tracing worker_thread (a fresh isolate, koffi, the loop: ≈ 60–90 ms) is most of
// trace()'s fixed cost now that the launcher is native. prepareTrace() starts that boot early, so a
// caller can overlap it with its own start-up (loading a profile, compiling a filter); the next
// trace() then takes the booted thread. The thread still does all ptrace work itself (DESIGN fact 5)
// and nothing here uses child_process. Deliberately tiny: importing it must cost nothing.
import { Worker } from 'node:worker_threads';
import { runtimeFile } from '../util/runtime-path.js';

interface Warm {
  readonly worker: Worker;
  exited: boolean;
}

let warm: Warm | undefined;

function boot(): Worker {
  return new Worker(runtimeFile('./worker.js', import.meta.url));
}

/**
 * Starts booting the tracer thread now; the next trace() in this process uses it. Idempotent and
 * cheap to call; an unused thread does not keep the process alive.
 */
export function prepareTrace(): void {
  if (warm !== undefined) return;
  let worker: Worker;
  try {
    worker = boot();
  } catch {
    return; // trace() will report it
  }
  const state: Warm = { worker, exited: false };
  worker.unref();
  // A thread that fails to boot is dropped here; trace() then boots its own and reports the error.
  worker.on('error', () => {});
  worker.on('exit', () => {
    state.exited = true;
  });
  warm = state;
}

/** The prepared thread if it is still alive, else a new one. The caller sends it the WorkerInput. */
export function takeTraceWorker(): Worker {
  const prepared = warm;
  warm = undefined;
  if (prepared && !prepared.exited) {
    prepared.worker.ref();
    return prepared.worker;
  }
  return boot();
}
