// Booting the tracing worker_thread (a fresh isolate, koffi, the loop: ≈ 60–90 ms) is most of
// trace()'s fixed cost now that the launcher is native. prepareTrace() starts that boot early, so a
// caller can overlap it with its own start-up (loading a profile, compiling a filter); the next
// trace() then takes the booted thread. The thread still does all ptrace work itself (DESIGN fact 5)
// and nothing here uses child_process. Deliberately tiny: importing it must cost nothing.
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { runtimeFile } from '../util/runtime-path.js';

/**
 * node:worker_threads, loaded when a thread is booted: loading it (and the stream modules under
 * it) cost every start ≈ 6 ms, and `check`, `enforce` and the eBPF backend never boot a thread.
 */
export function workerThreads(): typeof import('node:worker_threads') {
  return createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
}

interface Warm {
  readonly worker: Worker;
  exited: boolean;
}

let warm: Warm | undefined;

/** Atomics.waitAsync (Node ≥ 16; in TypeScript's lib from ES2024 on). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/**
 * Starts a tracer thread. `booted` (a shared flag) is set by the thread once its modules, koffi's
 * addon among them, are loaded.
 */
function boot(booted?: Int32Array): Worker {
  const { Worker: Thread } = workerThreads();
  return new Thread(runtimeFile('./worker.js', import.meta.url), booted ? { workerData: { booted } } : {});
}

/**
 * Starts booting the tracer thread now; the next trace() in this process uses it. Idempotent and
 * cheap to call; an unused thread does not keep the process alive.
 */
export function prepareTrace(): void {
  if (warm !== undefined) return;
  let worker: Worker;
  const booted = new Int32Array(new SharedArrayBuffer(4));
  try {
    worker = boot(booted);
  } catch {
    return; // trace() will report it
  }
  const state: Warm = { worker, exited: false };
  // Unreferenced only once booted: a process that ends while the thread is still loading koffi's
  // addon (a `record` that fails at once, e.g. on its -o) had Node tear the thread down inside the
  // addon's init, which aborted with "FATAL ERROR: napi_throw" (exit 134) about 1 run in 20.
  const wait = waitAsync(booted, 0, 0);
  // Once taken (takeTraceWorker), the thread is the caller's and stays referenced.
  const release = () => {
    if (warm === state) worker.unref();
  };
  if (wait.async) void (wait.value as Promise<string>).then(release);
  else worker.unref();
  // A thread that fails to boot is dropped here; trace() then boots its own and reports the error.
  worker.on('error', () => {});
  worker.on('exit', () => {
    state.exited = true;
    // A thread that died before booting never sets the flag: release the wait.
    Atomics.store(booted, 0, 1);
    Atomics.notify(booted, 0);
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
