// Entry point of the tracing worker_thread: the one thread that seizes and waits for tracees.
// It boots before it knows the job (see warm.ts): the WorkerInput arrives as the first message.
import { parentPort, workerData } from 'node:worker_threads';
import { failureMessage, TraceLoop } from './loop.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

// Booted: every module (koffi's addon too) is loaded. warm.ts keeps the process alive until then.
const booted = (workerData as { booted?: Int32Array } | undefined)?.booted;
if (booted) {
  Atomics.store(booted, 0, 1);
  Atomics.notify(booted, 0);
}

parentPort?.once('message', (input: WorkerInput) => {
  let message: WorkerMessage;
  try {
    message = new TraceLoop(input).run();
  } catch (error) {
    message = failureMessage(error);
  }
  parentPort?.postMessage(message);
});
