// Tracing on the calling thread, driven by SIGCHLD: no worker isolate to boot.
//
// A worker_thread costs ≈ 45 ms to boot before it can seize anything (Node 20 builds each worker's
// runtime from scratch), and `check`/`enforce` pay that before the workload starts. Under their
// filters almost every syscall runs in the kernel, so stops are rare, and the thread that owns the
// event loop can do the ptrace work itself: each SIGCHLD (the kernel sends one for every ptrace stop
// and exit of a tracee) drains the pending stops with waitpid(WNOHANG). Everything stays on this one
// thread, so ptrace's thread affinity (DESIGN fact 5) holds, and signals and timers keep working.
//
// The catch, and why `record` keeps the worker: waitpid(-1, __WNOTHREAD) also reaps any other child
// of this thread, e.g. one that child_process started. Use this only in a process that starts no
// other children while it traces, as the CLI does. Each stop also costs an event-loop wake-up,
// which is fine for a handful of stops and wrong for recording millions.
import { failureMessage, TraceLoop } from './loop.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

/**
 * A safety net, not the mechanism: if a SIGCHLD were ever lost, the trace would still finish within
 * this interval. The timer also keeps the event loop alive (signal listeners do not).
 */
const SAFETY_POLL_MS = 1000;

export function traceOnThisThread(input: WorkerInput): Promise<WorkerMessage> {
  return new Promise((resolve) => {
    const loop = new TraceLoop(input);
    let settled = false;
    const settle = (message: WorkerMessage) => {
      if (settled) return;
      settled = true;
      process.off('SIGCHLD', pump);
      clearInterval(timer);
      resolve(message);
    };
    function pump(): void {
      if (settled) return;
      try {
        if (loop.pump(false)) settle(loop.finish());
      } catch (error) {
        // A bug in the loop: do not leave stopped tracees behind (EXITKILL only fires when the
        // tracing thread exits, and this thread lives on).
        loop.killAll();
        loop.close();
        settle(failureMessage(error));
      }
    }
    // Listen before the first tracee exists, so no stop can come before the listener.
    process.on('SIGCHLD', pump);
    const timer = setInterval(pump, SAFETY_POLL_MS);
    try {
      loop.start();
    } catch (error) {
      loop.close();
      settle(failureMessage(error));
      return;
    }
    pump();
  });
}
