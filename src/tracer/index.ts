// trace(): run a workload under the seccomp-assisted ptrace tracer and return what it did.
// The loop runs in a worker_thread (ptrace is thread-affine, DESIGN fact 5); this side only
// validates, starts the worker, relays aborts and progress, and builds the recording.
import { isMainThread } from 'node:worker_threads';
import { returnValue } from '../arch/seccomp.js';
import { EXIT, ProfilerError } from '../errors.js';
import { encodeProgram } from '../generator/bpf/encode.js';
import { K, RET, stmt, type ValidatedProgram } from '../generator/bpf/types.js';
import { programProblem, validateProgram } from '../generator/bpf/validate.js';
import { buildRecording, type ScopedExecutables, scopedExecutables } from '../recording/builder.js';
import type { Recording } from '../recording/schema.js';
import {
  type FilterEvent,
  type ScopeOptions,
  SHARED_ABORT,
  SHARED_CAPACITY,
  SHARED_DISTINCT,
  SHARED_PROCESSES,
  SHARED_ROOT_EXIT,
  SHARED_SLOTS,
  type TraceOutcome,
  type WorkerInput,
  type WorkerMessage,
} from './protocol.js';
import { takeTraceWorker } from './warm.js';
import { resolveWorkload } from './workload.js';

export type { CountScope, FilterEvent, ScopeOptions, TraceOutcome } from './protocol.js';
export { prepareTrace } from './warm.js';

/** What to run and how to trace it. */
export interface TraceOptions {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The filter the launcher installs (validated: see validateProgram); default: RET_TRACE for every syscall. */
  readonly filter?: ValidatedProgram;
  /** At a RET_TRACE stop: record and run it (default), or record and skip it so it returns -errno. */
  readonly onTraceStop?: 'continue' | { readonly errno: number };
  /**
   * Which thread does the ptrace work. 'worker' (default): a worker_thread blocking in waitpid, the
   * fastest per stop. 'main': this thread, woken by SIGCHLD, which saves the worker's ≈ 45 ms boot
   * for filters that stop rarely (check, enforce); it reaps every child of this thread, so use it
   * only where nothing else in the process starts children meanwhile (see inline.ts). Called from a
   * worker_thread, where signals do not reach JS, 'main' falls back to 'worker'.
   */
  readonly thread?: 'worker' | 'main';
  /** Pin tracer and tracees to one CPU until a process gets a second thread. Default: true. */
  readonly pin?: boolean;
  /**
   * Set no_new_privs before installing the filter (default true). false keeps the workload's
   * privileges as they are (a container runtime must decide NNP itself); needs CAP_SYS_ADMIN.
   */
  readonly noNewPrivileges?: boolean;
  /** Count a container's processes, and stops its own filter traced, apart (see ScopeOptions). */
  readonly scopes?: ScopeOptions;
  /**
   * Called once the first process (argv's) has ended, with its exit code (128+N for signal N),
   * while its descendants may still run: e.g. `runc create` returns, the container lives on.
   */
  readonly onRootExit?: (code: number) => void;
  /** Abort → kill the workload, resolve with what was recorded so far (outcome `interrupted`). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { elapsedMs: number; distinctSyscalls: number; processes: number }) => void;
}

export interface TraceResult {
  readonly outcome: TraceOutcome;
  /** Only the syscalls that reached the tracer (RET_TRACE stops): with the default filter, all. */
  readonly recording: Recording;
  readonly filterEvents: readonly FilterEvent[];
  /** With `scopes`: the contained and marked counts, per executable (also part of `recording`). */
  readonly scopes?: ScopedExecutables;
}

/** The default filter: `ret SECCOMP_RET_TRACE`, one instruction. */
export function traceAllFilter(): ValidatedProgram {
  return validateProgram([stmt(RET | K, returnValue('trace'))]);
}

/** The exit code that mirrors an outcome: the code, 128+N, 159 for a filter kill, 130 if interrupted. */
export function exitCodeOf(outcome: TraceOutcome): number {
  switch (outcome.status) {
    case 'exited':
      return outcome.code;
    case 'signaled':
      return 128 + outcome.number;
    case 'killed-by-filter':
      return EXIT.violation;
    case 'interrupted':
      return 130;
  }
}

/** The filter's bytes; a caller that got around the type (plain JS) still gets one clear line. */
function filterBytes(filter: ValidatedProgram): Uint8Array {
  const problem = Array.isArray(filter) ? programProblem(filter) : 'not a validated BPF program';
  if (problem !== undefined) throw new ProfilerError('BAD_INPUT', `invalid seccomp filter: ${problem}`);
  return encodeProgram(filter);
}

/** Hands the job to the tracer thread (booted early by prepareTrace() if it was called). */
function inWorker(input: WorkerInput): Promise<WorkerMessage> {
  const worker = takeTraceWorker();
  worker.postMessage(input);
  return new Promise<WorkerMessage>((resolveMsg, reject) => {
    let got: WorkerMessage | undefined;
    worker.on('message', (m: WorkerMessage) => {
      got = m;
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      if (got) resolveMsg(got);
      else reject(new ProfilerError('INTERNAL', 'the tracer thread died without a result'));
    });
  });
}

interface AtomicsWaitAsync {
  waitAsync(
    view: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

/** Calls `onRootExit` when the loop publishes the first process's wait status (SHARED_ROOT_EXIT). */
async function watchRootExit(view: Int32Array, onRootExit: (code: number) => void): Promise<void> {
  let v = Atomics.load(view, SHARED_ROOT_EXIT);
  while (v === 0) {
    // Atomics.waitAsync is in Node 20 but not in this project's TypeScript lib (ES2022).
    const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(view, SHARED_ROOT_EXIT, 0);
    if (w.async) await w.value;
    v = Atomics.load(view, SHARED_ROOT_EXIT);
  }
  if (v < 0) return; // the trace ended without it (the launcher failed)
  const st = v - 1;
  onRootExit((st & 0x7f) === 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f));
}

/** Runs `argv` under the tracer. Rejects with ProfilerError for known failures (127, 126, EPERM, …). */
export async function trace(opts: TraceOptions): Promise<TraceResult> {
  const workload = resolveWorkload(opts);
  const cwd = workload.cwd;
  const filter = filterBytes(opts.filter ?? traceAllFilter());
  const shared = new SharedArrayBuffer(SHARED_CAPACITY * 4);
  const input: WorkerInput = {
    ...workload,
    filter,
    onTraceStop: opts.onTraceStop ?? 'continue',
    pin: opts.pin ?? true,
    noNewPrivileges: opts.noNewPrivileges ?? true,
    scopes: opts.scopes,
    shared,
  };
  const startedAt = new Date();
  const started = performance.now();
  const view = new Int32Array(shared);
  // Signals reach JS listeners only on the main thread: anywhere else 'main' means a worker.
  const running =
    opts.thread === 'main' && isMainThread
      ? import('./inline.js').then((inline) => inline.traceOnThisThread(input))
      : inWorker(input);

  const onAbort = () => {
    Atomics.store(view, SHARED_ABORT, 1);
    for (let i = SHARED_SLOTS; i < SHARED_CAPACITY; i++) {
      const tid = Atomics.load(view, i);
      if (tid > 0) {
        try {
          process.kill(tid, 'SIGKILL');
        } catch {}
      }
    }
  };
  if (opts.onRootExit) void watchRootExit(view, opts.onRootExit);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort);
  const timer =
    opts.onProgress &&
    setInterval(() => {
      opts.onProgress?.({
        elapsedMs: performance.now() - started,
        distinctSyscalls: Atomics.load(view, SHARED_DISTINCT),
        processes: Atomics.load(view, SHARED_PROCESSES),
      });
    }, 100);
  try {
    const message = await running;
    if (message.type === 'error') {
      throw new ProfilerError(message.code as ProfilerError['code'], message.message, {
        ...(message.exitCode === undefined ? {} : { exitCode: message.exitCode }),
      });
    }
    const recording = buildRecording(
      {
        command: opts.argv,
        cwd,
        startedAt,
        endedAt: new Date(),
        outcome: message.outcome,
        backend: 'ptrace',
      },
      message.raw,
    );
    return {
      outcome: message.outcome,
      recording,
      filterEvents: message.filterEvents,
      ...(opts.scopes ? { scopes: scopedExecutables(message.raw) } : {}),
    };
  } finally {
    if (Atomics.compareExchange(view, SHARED_ROOT_EXIT, 0, -1) === 0) Atomics.notify(view, SHARED_ROOT_EXIT);
    if (timer) clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
