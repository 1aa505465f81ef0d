// Entry point of the tracing worker_thread: the one thread that seizes and waits for tracees.
// It boots before it knows the job (see warm.ts): the WorkerInput arrives as the first message.
import { parentPort } from 'node:worker_threads';
import { isProfilerError } from '../errors.js';
import { TraceLoop } from './loop.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

parentPort?.once('message', (input: WorkerInput) => {
  let message: WorkerMessage;
  try {
    message = new TraceLoop(input).run();
  } catch (error) {
    message = isProfilerError(error)
      ? { type: 'error', code: error.code, message: error.message, exitCode: error.exitCode }
      : { type: 'error', code: 'INTERNAL', message: (error as Error)?.stack ?? String(error) };
  }
  parentPort?.postMessage(message);
});
