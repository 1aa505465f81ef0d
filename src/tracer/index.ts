// trace(): run a workload under the seccomp-assisted ptrace tracer and return what it did (the eBPF
// recorder, src/tracer/ebpf/, takes the same options and gives the same result).
// The loop runs in a worker_thread (ptrace is thread-affine, DESIGN fact 5); this side only
// validates, starts the worker, supervises the run (supervisor.ts: grace period, stop signals,
// aborts), relays progress, and builds the recording.
import { returnValue } from '../arch/seccomp.js';
import { EXIT, ProfilerError } from '../errors.js';
import { K, RET, stmt, type ValidatedProgram } from '../generator/bpf/types.js';
import { validateProgram } from '../generator/bpf/validate.js';
import { buildRecording, type ScopedExecutables, scopedExecutables } from '../recording/builder.js';
import type { Recording } from '../recording/schema.js';
import type { ByteString } from '../util/bytes.js';
import type { Inheritance } from './inherit.js';
import { prepareInput } from './input.js';
import { type Interrupts, type StopSignal, signalExitCode } from './interrupts.js';
import {
  type EndedProcess,
  type FilterEvent,
  type ScopeOptions,
  SHARED_CAPACITY,
  SHARED_DISTINCT,
  SHARED_PROCESSES,
  type TraceOutcome,
  type WorkerInput,
  type WorkerMessage,
} from './protocol.js';
import { graceMilliseconds, Supervisor } from './supervisor.js';
import { takeTraceWorker, workerThreads } from './warm.js';

export type { ByteString } from '../util/bytes.js';
export { type Inheritance, inheritedByThisProcess, STDIO_ONLY } from './inherit.js';
export { catchInterrupts, type Interrupts, type StopSignal, signalExitCode } from './interrupts.js';
export { argvBytes, envEntries, ownCwd } from './own-bytes.js';
export type { CountScope, EndedProcess, FilterEvent, ScopeOptions, TraceOutcome } from './protocol.js';
export { DEFAULT_GRACE_SECONDS } from './supervisor.js';
export { releaseHungUpTerminal } from './terminal.js';
export { prepareTrace } from './warm.js';

/** What to run and how to trace it. */
export interface TraceOptions {
  /** The command and its arguments; a Uint8Array passes its bytes exactly (they need not be UTF-8). */
  readonly argv: readonly ByteString[];
  /**
   * Where the workload starts. Default: where this process is, inherited without a chdir, so a
   * deleted working directory works as it does natively.
   */
  readonly cwd?: ByteString;
  /**
   * The workload's environment. Default: this process's, where a value Node could not decode as
   * UTF-8 passes as its original bytes. Also accepts `NAME=value` entries as bytes.
   */
  readonly env?: NodeJS.ProcessEnv | readonly ByteString[];
  /**
   * The fds the workload gets at the same numbers (every other fd is closed for it, stdio
   * included) and the signals it starts with ignored. Default: stdio only, nothing ignored. The
   * CLI passes what the `profile` executable inherited (inheritedByThisProcess()).
   */
  readonly inherit?: Inheritance;
  /**
   * Seconds the rest of the process tree gets once the main process has exited (or once a stop
   * signal was passed on to it); then everything left is killed and reported in `ended`.
   * Default 2; Infinity waits for every process (a container outliving `runc create`).
   */
  readonly grace?: number;
  /**
   * Stop signals to pass on (catchInterrupts()): the first goes to the main process, unless it got
   * its own copy (a terminal's Ctrl-C reaches the whole process group), and its shutdown is traced
   * for up to `grace` seconds; a second one kills everything. Default: none (this process's signal
   * handling stays its own).
   */
  readonly interrupts?: Interrupts;
  /** The filter the launcher installs (validated: see validateProgram); default: RET_TRACE for every syscall. */
  readonly filter?: ValidatedProgram;
  /** At a RET_TRACE stop: record and run it (default), or record and skip it so it returns -errno. */
  readonly onTraceStop?: 'continue' | { readonly errno: number };
  /**
   * Which thread does the ptrace work. 'worker' (default): a worker_thread blocking in waitpid, the
   * fastest per stop. 'main': this thread, woken by SIGCHLD, which saves the worker's ≈ 45 ms boot
   * for filters that stop rarely (check, enforce); it reaps every child of this thread, so use it
   * only where nothing else in the process starts children meanwhile (see inline.ts). Called from a
   * worker_thread, where signals do not reach JS, 'main' falls back to 'worker'. In a deleted
   * working directory, where no worker_thread can boot, the main thread traces.
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
  /** How the main process ended. */
  readonly outcome: TraceOutcome;
  /** Only the syscalls that reached the tracer (RET_TRACE stops): with the default filter, all. */
  readonly recording: Recording;
  /** What the filter did in-kernel: every kill and every trap, in any process of the tree. */
  readonly filterEvents: readonly FilterEvent[];
  /** Every process of the tree the filter ended (a kill, or a trap's SIGSYS left unhandled). */
  readonly filterKills: readonly FilterEvent[];
  /** Processes still running when the run ended (grace period over, or interrupted), then killed. */
  readonly ended: readonly EndedProcess[];
  /** The stop signal that cut the run short (TraceOptions.interrupts), if one came. */
  readonly interruptedBy?: StopSignal;
  /** With `scopes`: the contained and marked counts, per executable (also part of `recording`). */
  readonly scopes?: ScopedExecutables;
  /** How many of the stops the tracer's native hot path counted (fast-stops.ts); absent without it. */
  readonly nativeStops?: number;
}

/** The default filter: `ret SECCOMP_RET_TRACE`, one instruction. */
export function traceAllFilter(): ValidatedProgram {
  return validateProgram([stmt(RET | K, returnValue('trace'))]);
}

/**
 * The exit code that mirrors an outcome: the code, 128+N, 159 for a filter kill; for a run we
 * interrupted, 128+N of the stop signal that did it (130 for an AbortSignal).
 */
export function exitCodeOf(outcome: TraceOutcome, interruptedBy?: StopSignal): number {
  switch (outcome.status) {
    case 'exited':
      return outcome.code;
    case 'signaled':
      return 128 + outcome.number;
    case 'killed-by-filter':
      return EXIT.violation;
    case 'interrupted':
      return interruptedBy ? signalExitCode(interruptedBy) : 130;
  }
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

/** Runs `argv` under the tracer. Rejects with ProfilerError for known failures (127, 126, EPERM, …). */
export async function trace(opts: TraceOptions): Promise<TraceResult> {
  const graceMs = graceMilliseconds(opts.grace);
  const shared = new SharedArrayBuffer(SHARED_CAPACITY * 4);
  const epochMs = Date.now();
  const { input, cwd } = prepareInput({ ...opts, filter: opts.filter ?? traceAllFilter() }, shared, epochMs);
  const startedAt = new Date(epochMs);
  const started = performance.now();
  const view = new Int32Array(shared);
  const supervisor = new Supervisor(view, {
    graceMs,
    epochMs,
    ...(opts.interrupts ? { interrupts: opts.interrupts } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onRootExit ? { onRootExit: opts.onRootExit } : {}),
  });
  // Signals reach JS listeners only on the main thread: anywhere else 'main' means a worker. And a
  // worker_thread cannot boot in a deleted directory (its bootstrap calls process.cwd()).
  const running =
    (opts.thread === 'main' || !cwd.exists) && workerThreads().isMainThread
      ? import('./inline.js').then((inline) => inline.traceOnThisThread(input))
      : inWorker(input);
  supervisor.start();
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
    const interruptedBy = supervisor.interruptedBy;
    const recording = buildRecording(
      {
        command: opts.argv,
        cwd: cwd.bytes,
        startedAt,
        endedAt: new Date(),
        outcome: message.outcome,
        ...(interruptedBy ? { interruptedBy } : {}),
        ended: message.ended,
        backend: 'ptrace',
      },
      message.raw,
    );
    return {
      outcome: message.outcome,
      recording,
      filterEvents: message.filterEvents,
      filterKills: message.filterKills,
      ended: message.ended,
      ...(interruptedBy ? { interruptedBy } : {}),
      ...(opts.scopes ? { scopes: scopedExecutables(message.raw) } : {}),
      ...(message.nativeStops === undefined ? {} : { nativeStops: message.nativeStops }),
    };
  } finally {
    supervisor.stop();
    if (timer) clearInterval(timer);
  }
}
