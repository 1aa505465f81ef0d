// The trace loop: one waitpid(-1) per stop, on the thread that seized the launcher. run() blocks
// in waitpid (the worker thread's way); start()/pump()/finish() let a thread with an event loop drive
// it from SIGCHLD instead (src/tracer/inline.ts).
// Stop kinds and their handling follow ptrace(2) and strace's doc/README-linux-ptrace:
//   seccomp stop (RET_TRACE)  → count (arch, nr) for the process's executable, capture args, resume
//   fork/vfork/clone event    → register the child (it may have stopped before this event)
//   exec event                → new executable; a non-leader exec moves the old tid onto the tgid
//   exit event                → a SIGSYS exit is a filter kill: name the syscall (filter-events.ts)
//   group-stop (EVENT_STOP + stop signal) → PTRACE_LISTEN, so SIGSTOP/SIGCONT behave as untraced
//   other EVENT_STOP          → a new child's first stop, or an interrupt: resume
//   signal-delivery stop      → re-inject the signal (SIGSYS from a trap action is reported first)
import { isProfilerError } from '../errors.js';
import { type Affinity, pinnedAffinity } from './affinity.js';
import { AffinityCalls } from './affinity-calls.js';
import {
  ECHILD,
  EINTR,
  PTRACE_CONT,
  PTRACE_EVENT_CLONE,
  PTRACE_EVENT_EXEC,
  PTRACE_EVENT_EXIT,
  PTRACE_EVENT_FORK,
  PTRACE_EVENT_SECCOMP,
  PTRACE_EVENT_STOP,
  PTRACE_EVENT_VFORK,
  PTRACE_LISTEN,
  WALL,
  WNOHANG,
  WNOTHREAD,
} from './constants.js';
import { Counters } from './counters.js';
import { Ending } from './ending.js';
import { ExeNames } from './exe-names.js';
import { FAST_BATCH_DONE, FastStops, JsStops, type StopSource } from './fast-stops.js';
import { FilterEvents, SIGSYS } from './filter-events.js';
import { type LauncherStatus, launcherError, readLauncherStatus } from './launch-error.js';
import { close, errno, ptraceInt, rtSigaction, SIG_IGN } from './libc.js';
import { signalName } from './proc.js';
import {
  SHARED_ABORT,
  SHARED_PINNED,
  SHARED_ROOT,
  type TraceOutcome,
  type WorkerInput,
  type WorkerMessage,
} from './protocol.js';
import { SeccompStops } from './seccomp-stops.js';
import { type Launched, launch } from './spawn.js';
import { StopBuffers } from './stop-buffers.js';
import { type Proc, type Tracee, Tracees } from './tracees.js';

const JOB_STOP_SIGNALS = new Set([19 /* SIGSTOP */, 20 /* SIGTSTP */, 21 /* SIGTTIN */, 22 /* SIGTTOU */]);
const SIGUSR1 = 10;
/** SIGTRAP | 0x80: a syscall stop (PTRACE_O_TRACESYSGOOD), only after we asked with PTRACE_SYSCALL. */
const SYSCALL_STOP = 0x85;

export class TraceLoop {
  private readonly counters = new Counters();
  private readonly bufs = new StopBuffers();
  private readonly shared: Int32Array;
  private readonly tracees: Tracees;
  private readonly filter: FilterEvents;
  private readonly stops: SeccompStops;
  /** The native hot path, when built (fast-stops.ts); else each stop costs three koffi calls. */
  private readonly fast: FastStops | undefined;
  private readonly source: StopSource;
  private rootPid = 0;
  private rootStatus: number | undefined;
  private launched: Launched | undefined;
  private closed = false;
  private root: Proc | undefined;
  private launcherStatus: LauncherStatus | undefined;
  private readonly ending: Ending;
  private affinity: Affinity | undefined;
  private affinityCalls: AffinityCalls | undefined;
  private readonly exeNames: ExeNames;

  constructor(private readonly input: WorkerInput) {
    this.shared = new Int32Array(input.shared);
    this.tracees = new Tracees(this.shared, {
      // A second thread in one process: pinning would serialise it, so let everything run free.
      onSecondThread: () => this.unpin(),
      onRegistered: (tid) => {
        if (this.affinity && !this.affinity.pinned) this.affinity.release(tid);
      },
      exeOf: (pid) => this.exeNames.newProcess(pid),
    });
    this.exeNames = new ExeNames(
      this.counters,
      input.scopes !== undefined,
      (pid) => this.tracees.get(pid)?.proc,
    );
    this.filter = new FilterEvents(this.bufs, input.scopes !== undefined);
    this.ending = new Ending(this.shared, this.tracees, input.epochMs);
    this.fast = FastStops.open(input.fastStopsPath, this.bufs);
    this.source = this.fast ?? new JsStops(this.bufs);
    this.stops = new SeccompStops(input, this.bufs, this.counters, this.shared, this.fast, () =>
      this.abort(),
    );
  }

  /** Runs the whole trace on this thread, blocking in waitpid: the worker's way. */
  run(): WorkerMessage {
    this.start();
    try {
      while (!this.pump(true));
    } finally {
      this.close();
    }
    return this.finish();
  }

  /** Spawns and seizes the launcher, which then installs the filter and execs the workload. */
  start(): void {
    // Node starts its inspector on SIGUSR1 (a native handler; a JS listener does not stop it), and
    // the workload can signal us: ignore it for good. The launchers reset it for the workload.
    rtSigaction(SIGUSR1, SIG_IGN);
    this.launched = launch(this.input, (pid) => {
      if (this.input.pin) this.affinity = pinnedAffinity(pid);
    });
    if (this.affinity) this.affinityCalls = new AffinityCalls(this.bufs, this.affinity, () => this.unpin());
    this.rootPid = this.launched.pid;
    Atomics.store(this.shared, SHARED_ROOT, this.rootPid);
    this.root = this.tracees.addRoot(this.rootPid, this.counters.exe('(launcher)'));
    Atomics.store(this.shared, SHARED_PINNED, this.affinity ? 1 : 0);
  }

  /**
   * Handles stops until none is left (true: every tracee is gone) or, when `block` is false, until
   * none is pending (false: call again on the next SIGCHLD).
   */
  pump(block: boolean): boolean {
    const status = this.bufs.status;
    const options = block ? WALL | WNOTHREAD : WALL | WNOTHREAD | WNOHANG;
    const source = this.source;
    for (;;) {
      // Any resume() left pending is made here, so none is left when this returns.
      const pid = source.next(options);
      if (pid === 0) return false;
      if (pid < 0) {
        if (pid === FAST_BATCH_DONE) {
          if (this.shared[SHARED_ABORT] !== 0) this.ending.poll(this.rootStatus !== undefined);
          continue;
        }
        const err = errno();
        if (err === EINTR) continue;
        if (err === ECHILD) return true;
        throw new Error(`waitpid failed: errno ${err}`);
      }
      if (this.shared[SHARED_ABORT] !== 0) this.ending.poll(this.rootStatus !== undefined);
      const st = status[0]!;
      if ((st & 0xff) !== 0x7f) {
        source.forget();
        this.onGone(pid, st);
        continue;
      }
      const event = st >>> 16;
      const t = this.tracees.get(pid) ?? this.tracees.adopt(pid);
      if (event === PTRACE_EVENT_SECCOMP) {
        if (!this.stops.onStop(t, pid, this.rootPid, this.affinityCalls)) source.resume(pid);
        continue;
      }
      source.forget();
      const sig = (st >> 8) & 0xff;
      switch (event) {
        case 0:
          if (sig !== SYSCALL_STOP) this.onSignal(t, pid, sig);
          else if (this.affinityCalls) this.affinityCalls.atSyscallExit(t, pid);
          else ptraceInt(PTRACE_CONT, pid, 0, 0);
          break;
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE: {
          const child = this.bufs.eventMessage(pid);
          if (child !== undefined) this.tracees.announce(t, child, event === PTRACE_EVENT_CLONE);
          ptraceInt(PTRACE_CONT, pid, 0, 0);
          break;
        }
        case PTRACE_EVENT_EXEC:
          this.onExec(pid);
          break;
        case PTRACE_EVENT_EXIT:
          this.onExitEvent(t, pid);
          break;
        case PTRACE_EVENT_STOP:
          ptraceInt(JOB_STOP_SIGNALS.has(sig) ? PTRACE_LISTEN : PTRACE_CONT, pid, 0, 0);
          break;
        default:
          ptraceInt(PTRACE_CONT, pid, 0, 0);
      }
    }
  }

  /** Releases the launcher's status pipe. Idempotent. */
  close(): void {
    if (this.launched && !this.closed) {
      this.closed = true;
      close(this.launched.statusFd);
    }
  }

  /** Kills every tracee we know of: for a caller that gives up on the trace (an internal error). */
  killAll(): void {
    this.tracees.killAll();
  }

  /** The result, once pump() returned true. */
  finish(): WorkerMessage {
    this.close();
    const proc = this.root;
    const fatal = this.stops.fatal;
    if (fatal) return { type: 'error', code: fatal.code, message: fatal.message, exitCode: fatal.exitCode };
    if (this.rootStatus === undefined || proc === undefined) {
      return { type: 'error', code: 'INTERNAL', message: 'lost track of the workload' };
    }
    if (proc.launcher && !this.ending.aborted) {
      const err = launcherError(this.launcherStatus, this.input);
      return { type: 'error', code: err.code, message: err.message, exitCode: err.exitCode };
    }
    const { processes, threads } = this.tracees;
    return {
      type: 'done',
      outcome: this.outcome(this.rootStatus, proc),
      raw: this.counters.toRaw(processes, threads, this.affinity?.pinned ?? false),
      filterEvents: this.filter.events,
      filterKills: this.filter.kills,
      ended: this.ending.ended,
      ...(this.fast ? { nativeStops: this.fast.handled } : {}),
    };
  }

  private outcome(st: number, root: Proc): TraceOutcome {
    if (this.ending.aborted && !this.stops.fatal) return { status: 'interrupted' };
    const sig = st & 0x7f;
    if (sig === 0) return { status: 'exited', code: (st >> 8) & 0xff };
    if (sig === SIGSYS && root.filterEvent) return { status: 'killed-by-filter', event: root.filterEvent };
    return { status: 'signaled', signal: signalName(sig), number: sig };
  }

  /** Kills every tracee: the workload ends, the loop drains the remaining stops. */
  private abort(): void {
    this.ending.killAll(this.rootStatus !== undefined);
  }

  private unpin(): void {
    if (!this.affinity?.pinned) return;
    this.affinity.unpin(this.tracees.tids());
    Atomics.store(this.shared, SHARED_PINNED, 0);
  }

  private onSignal(t: Tracee, pid: number, sig: number): void {
    if (sig === SIGSYS && !t.proc.launcher) this.filter.onSigsys(t, pid);
    else if (t.proc.tgid === this.rootPid) this.ending.rootSignal(sig);
    ptraceInt(PTRACE_CONT, pid, 0, sig);
  }

  private onExec(pid: number): void {
    const former = this.bufs.eventMessage(pid);
    const t =
      (former === undefined ? this.tracees.get(pid) : this.tracees.execMoved(pid, former)) ??
      this.tracees.adopt(pid);
    const proc = t.proc;
    if (proc.launcher) {
      this.tracees.startWorkload(proc);
      this.ending.running();
    }
    proc.exe = this.exeNames.atExec(proc, pid);
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  private onExitEvent(t: Tracee, pid: number): void {
    if (!t.proc.launcher && !t.proc.filterEvent) {
      const exitStatus = this.bufs.eventMessage(pid);
      if (exitStatus !== undefined && (exitStatus & 0x7f) === SIGSYS) this.filter.onSigsysExit(t, pid);
    }
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  private onGone(pid: number, st: number): void {
    const t = this.tracees.get(pid);
    if (t) this.tracees.remove(t);
    if (pid === this.rootPid) {
      this.rootStatus = st;
      if (t?.proc.launcher && this.launched) this.launcherStatus = readLauncherStatus(this.launched.statusFd);
      this.ending.rootGone(st);
    } else this.ending.onGone(t, pid, st);
  }
}

/** The message for a trace that threw: a ProfilerError keeps its code, anything else is a bug. */
export function failureMessage(error: unknown): WorkerMessage {
  return isProfilerError(error)
    ? { type: 'error', code: error.code, message: error.message, exitCode: error.exitCode }
    : { type: 'error', code: 'INTERNAL', message: (error as Error)?.stack ?? String(error) };
}
