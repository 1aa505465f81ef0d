// Entry point of the tracing worker_thread: the one thread that seizes and waits for tracees.
import { parentPort, workerData } from 'node:worker_threads';
import { isProfilerError } from '../errors.js';
import { TraceLoop } from './loop.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

let message: WorkerMessage;
try {
  message = new TraceLoop(workerData as WorkerInput).run();
} catch (error) {
  message = isProfilerError(error)
    ? { type: 'error', code: error.code, message: error.message, exitCode: error.exitCode }
    : { type: 'error', code: 'INTERNAL', message: (error as Error)?.stack ?? String(error) };
}
parentPort?.postMessage(message);
