// The trace loop: one waitpid(-1) per stop, on the thread that seized the launcher. run() blocks
// in waitpid (the worker thread's way); start()/pump()/finish() let a thread with an event loop drive
// it from SIGCHLD instead (src/tracer/inline.ts).
// Stop kinds and their handling follow ptrace(2) and strace's doc/README-linux-ptrace:
//   seccomp stop (RET_TRACE)  → count (arch, nr) for the process's executable, capture args, resume
//   fork/vfork/clone event    → register the child (it may have stopped before this event)
//   exec event                → new executable; a non-leader exec moves the old tid onto the tgid
//   exit event                → a SIGSYS exit is a filter kill: name the syscall from orig_rax
//   group-stop (EVENT_STOP + stop signal) → PTRACE_LISTEN, so SIGSTOP/SIGCONT behave as untraced
//   other EVENT_STOP          → a new child's first stop, or an interrupt: resume
//   signal-delivery stop      → re-inject the signal (SIGSYS from a trap action is reported first)

import { errnoText } from '../arch/errno.js';
import { AUDIT_ARCH, archOf, describeSyscall, X32_SYSCALL_BIT } from '../arch/index.js';
import { isProfilerError, ProfilerError } from '../errors.js';
import { type Affinity, pinnedAffinity } from './affinity.js';
import {
  ECHILD,
  EINTR,
  ESRCH,
  PTRACE_CONT,
  PTRACE_EVENT_CLONE,
  PTRACE_EVENT_EXEC,
  PTRACE_EVENT_EXIT,
  PTRACE_EVENT_FORK,
  PTRACE_EVENT_SECCOMP,
  PTRACE_EVENT_STOP,
  PTRACE_EVENT_VFORK,
  PTRACE_GET_SYSCALL_INFO,
  PTRACE_GETEVENTMSG,
  PTRACE_GETREGS,
  PTRACE_GETSIGINFO,
  PTRACE_LISTEN,
  PTRACE_SETREGS,
  PTRACE_SYSCALL,
  REG,
  SIGINFO_SIZE,
  SYS_SECCOMP,
  SYSCALL_INFO_OP_EXIT,
  SYSCALL_INFO_OP_SECCOMP,
  SYSCALL_INFO_SIZE,
  USER_REGS_SIZE,
  WALL,
  WNOHANG,
  WNOTHREAD,
} from './constants.js';
import {
  ARCH_AARCH64,
  ARCH_I386,
  ARCH_X32,
  ARCH_X86_64,
  Counters,
  type ExeCounters,
  NR_SLOTS,
} from './counters.js';
import { close, errno, kill, nativeBuffer, ptraceInt, waitpidAt } from './libc.js';
import { hex, readExe, readTgid, realpathOr, signalName, writeMemory } from './proc.js';
import {
  type FilterEvent,
  SHARED_ABORT,
  SHARED_CAPACITY,
  SHARED_DISTINCT,
  SHARED_PINNED,
  SHARED_PROCESSES,
  SHARED_SLOTS,
  type TraceOutcome,
  type WorkerInput,
  type WorkerMessage,
} from './protocol.js';
import { type Launched, launch, launcherError, readLauncherStatus } from './spawn.js';

const SIGKILL = 9;
const SIGSYS = 31;
const STOP_SIGNALS = new Set([19 /* SIGSTOP */, 20 /* SIGTSTP */, 21 /* SIGTTIN */, 22 /* SIGTTOU */]);
const NR_EXECVE = 59;
const NR_EXECVEAT = 322;
const NR_SETAFFINITY = 203;
const NR_GETAFFINITY = 204;
const NR_SETAFFINITY_I386 = 241;
const NR_GETAFFINITY_I386 = 242;
/** SIGTRAP | 0x80: a syscall stop (PTRACE_O_TRACESYSGOOD), only after we asked with PTRACE_SYSCALL. */
const SYSCALL_STOP = 0x85;
const ENOSYS = 38n;

/** A thread group. */
interface Proc {
  readonly tgid: number;
  exe: ExeCounters;
  /** Still the launcher: its syscalls are not part of the recording. */
  launcher: boolean;
  /** Set once the filter killed this process (or its unhandled trap SIGSYS did). */
  filterEvent?: FilterEvent;
}

/** A traced thread. */
interface Tracee {
  readonly tid: number;
  proc: Proc;
  slot: number;
  /** A trap-action SIGSYS was delivered to this thread. */
  trapped?: FilterEvent;
  /** Its creator's fork/vfork/clone event was seen (a child's first stop may come earlier). */
  announced: boolean;
  /** Buffer address of a sched_getaffinity in flight whose result we rewrite at syscall exit. */
  affinityBuf?: number;
}

export class TraceLoop {
  private readonly counters = new Counters();
  private readonly tracees = new Map<number, Tracee>();
  private readonly procs = new Map<number, Proc>();
  /** Tids that came and went before their creator's event: that late event must not revive them. */
  private readonly goneEarly = new Set<number>();
  private readonly shared: Int32Array;
  private readonly freeSlots: number[] = [];
  private nextSlot = SHARED_SLOTS;
  private readonly errnoValue: number;
  private readonly filterEvents: FilterEvent[] = [];
  private processes = 0;
  private threads = 0;
  private rootPid = 0;
  private rootStatus: number | undefined;
  private launched: Launched | undefined;
  private closed = false;
  private root: Proc | undefined;
  private launcherStatus: ReturnType<typeof readLauncherStatus>;
  private aborted = false;
  private fatal: ProfilerError | undefined;
  private affinity: Affinity | undefined;

  // Preallocated native buffers, passed to ptrace/waitpid as integer addresses, and their views
  // (the hot path allocates nothing).
  private readonly mem = nativeBuffer(8 + SYSCALL_INFO_SIZE + USER_REGS_SIZE + SIGINFO_SIZE + 8);
  private readonly statusAt = this.mem.address;
  private readonly infoAt = this.mem.address + 8;
  private readonly regsAt = this.infoAt + SYSCALL_INFO_SIZE;
  private readonly siginfoAt = this.regsAt + USER_REGS_SIZE;
  private readonly msgAt = this.siginfoAt + SIGINFO_SIZE;
  private readonly status = new Int32Array(this.mem.bytes.buffer, 0, 1);
  private readonly info = new Uint8Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE);
  private readonly infoU32 = new Uint32Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE / 4);
  private readonly infoI32 = new Int32Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE / 4);
  private readonly regs = new BigInt64Array(
    this.mem.bytes.buffer,
    this.regsAt - this.mem.address,
    USER_REGS_SIZE / 8,
  );
  private readonly siginfo = new Int32Array(
    this.mem.bytes.buffer,
    this.siginfoAt - this.mem.address,
    SIGINFO_SIZE / 4,
  );
  private readonly msg = new BigUint64Array(this.mem.bytes.buffer, this.msgAt - this.mem.address, 1);

  constructor(private readonly input: WorkerInput) {
    this.shared = new Int32Array(input.shared);
    this.errnoValue = input.onTraceStop === 'continue' ? 0 : input.onTraceStop.errno;
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
    this.launched = launch(this.input, (pid) => {
      if (this.input.pin) this.affinity = pinnedAffinity(pid);
    });
    const rootPid = this.launched.pid;
    this.rootPid = rootPid;
    this.root = { tgid: rootPid, exe: this.counters.exe('(launcher)'), launcher: true };
    this.procs.set(rootPid, this.root);
    this.addTracee(rootPid, this.root).announced = true;
    Atomics.store(this.shared, SHARED_PINNED, this.affinity ? 1 : 0);
  }

  /**
   * Handles stops until none is left (true: every tracee is gone) or, when `block` is false, until
   * none is pending (false: call again on the next SIGCHLD).
   */
  pump(block: boolean): boolean {
    const status = this.status;
    const statusAt = this.statusAt;
    const shared = this.shared;
    const options = block ? WALL | WNOTHREAD : WALL | WNOTHREAD | WNOHANG;
    for (;;) {
      const pid = waitpidAt(-1, statusAt, options);
      if (pid === 0) return false;
      if (pid < 0) {
        const err = errno();
        if (err === EINTR) continue;
        if (err === ECHILD) return true;
        throw new Error(`waitpid failed: errno ${err}`);
      }
      if (shared[SHARED_ABORT] !== 0 && !this.aborted) this.abort();
      const st = status[0]!;
      if ((st & 0xff) !== 0x7f) {
        this.onGone(pid, st);
        continue;
      }
      const event = st >>> 16;
      if (event === PTRACE_EVENT_SECCOMP) {
        const t = this.tracees.get(pid) ?? this.adopt(pid);
        this.onSeccomp(t, pid);
        continue;
      }
      const sig = (st >> 8) & 0xff;
      const t = this.tracees.get(pid) ?? this.adopt(pid);
      switch (event) {
        case 0:
          if (sig === SYSCALL_STOP) this.onSyscallExit(t, pid);
          else this.onSignal(t, pid, sig);
          break;
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE:
          this.onNewChild(t, pid, event);
          break;
        case PTRACE_EVENT_EXEC:
          this.onExec(pid);
          break;
        case PTRACE_EVENT_EXIT:
          this.onExitEvent(t, pid);
          break;
        case PTRACE_EVENT_STOP:
          ptraceInt(STOP_SIGNALS.has(sig) ? PTRACE_LISTEN : PTRACE_CONT, pid, 0, 0);
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
    for (const tid of this.tracees.keys()) kill(tid, SIGKILL);
  }

  /** The result, once pump() returned true. */
  finish(): WorkerMessage {
    this.close();
    const proc = this.root;
    if (this.fatal) {
      return {
        type: 'error',
        code: this.fatal.code,
        message: this.fatal.message,
        exitCode: this.fatal.exitCode,
      };
    }
    if (this.rootStatus === undefined || proc === undefined) {
      return { type: 'error', code: 'INTERNAL', message: 'lost track of the workload' };
    }
    if (proc.launcher && !this.aborted) {
      const err = launcherError(this.launcherStatus, this.input);
      return { type: 'error', code: err.code, message: err.message, exitCode: err.exitCode };
    }
    return {
      type: 'done',
      outcome: this.outcome(this.rootStatus, proc),
      raw: this.counters.toRaw(this.processes, this.threads, this.affinity?.pinned ?? false),
      filterEvents: this.filterEvents,
    };
  }

  private outcome(st: number, root: Proc): TraceOutcome {
    if (this.aborted) return { status: 'interrupted' };
    const sig = st & 0x7f;
    if (sig === 0) return { status: 'exited', code: (st >> 8) & 0xff };
    if (sig === SIGSYS && root.filterEvent) return { status: 'killed-by-filter', event: root.filterEvent };
    return { status: 'signaled', signal: signalName(sig), number: sig };
  }

  /** Kills every tracee: the workload ends, the loop drains the remaining stops. */
  private abort(): void {
    this.aborted = true;
    for (const tid of this.tracees.keys()) kill(tid, SIGKILL);
  }

  private onSeccomp(t: Tracee, pid: number): void {
    if (ptraceInt(PTRACE_GET_SYSCALL_INFO, pid, SYSCALL_INFO_SIZE, this.infoAt) <= 0) {
      const err = errno();
      if (err === ESRCH) return; // killed under our feet
      // EIO/EINVAL: a kernel older than 5.3. Nothing can be recorded: end the workload.
      this.fatal ??= new ProfilerError(
        'UNAVAILABLE',
        `this kernel does not support PTRACE_GET_SYSCALL_INFO (${errnoText(err)}); Linux 5.3 or newer is needed`,
      );
      this.abort();
      ptraceInt(PTRACE_CONT, pid, 0, 0);
      return;
    }
    if (this.info[0] !== SYSCALL_INFO_OP_SECCOMP) {
      ptraceInt(PTRACE_CONT, pid, 0, 0);
      return;
    }
    const auditArch = this.infoU32[1]!;
    const nr = this.infoI32[6]!;
    let a: number;
    if (auditArch === AUDIT_ARCH.x86_64) a = nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0 ? ARCH_X32 : ARCH_X86_64;
    else if (auditArch === AUDIT_ARCH.i386) a = ARCH_I386;
    else if (auditArch === AUDIT_ARCH.aarch64) a = ARCH_AARCH64;
    else a = -1;
    const proc = t.proc;
    let exe = proc.exe;
    if (proc.launcher) {
      // The launcher's own calls are not the workload's; its execve of the workload is, and
      // belongs to the program it starts. The phase ends at the exec event (see onExec).
      if (t.tid !== this.rootPid || a !== ARCH_X86_64 || (nr !== NR_EXECVE && nr !== NR_EXECVEAT)) {
        ptraceInt(PTRACE_CONT, pid, 0, 0);
        return;
      }
      exe = this.counters.exe(realpathOr(this.input.path));
    }
    if (a >= 0) {
      const idx = a === ARCH_X32 ? nr & ~X32_SYSCALL_BIT : nr;
      if (idx >= 0 && idx < NR_SLOTS) {
        const k = a * NR_SLOTS + idx;
        exe.counts[k]!++;
        if (this.seenFirst(k)) Atomics.store(this.shared, SHARED_DISTINCT, this.counters.distinct);
        const spec = this.counters.specs[k];
        if (spec !== undefined) {
          this.counters.captureArgs(k, spec, describeSyscall(archName(a), nr), this.infoU32, 8);
        }
      } else if (this.counters.countOther(exe, a, nr)) {
        Atomics.store(this.shared, SHARED_DISTINCT, this.counters.distinct);
      }
    }
    // The launcher's execve of the workload always runs: skipping it would skip the whole run.
    if (this.errnoValue !== 0 && !proc.launcher) this.skipSyscall(pid);
    else if (this.affinity?.pinned && a >= 0 && this.affinityCall(t, a, nr)) return;
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  /**
   * While pinned: sched_setaffinity by the workload ends pinning (its choice wins);
   * sched_getaffinity runs to its exit stop, where the original CPU set is written back.
   * Returns true when the tracee was resumed here.
   */
  private affinityCall(t: Tracee, a: number, nr: number): boolean {
    const i386 = a === ARCH_I386;
    const idx = a === ARCH_X32 ? nr & ~X32_SYSCALL_BIT : nr;
    if (idx === (i386 ? NR_SETAFFINITY_I386 : NR_SETAFFINITY)) {
      this.unpin();
      return false;
    }
    if (idx !== (i386 ? NR_GETAFFINITY_I386 : NR_GETAFFINITY)) return false;
    const lo = this.infoU32[8 + 4]!;
    const hi = i386 ? 0 : this.infoU32[8 + 5]!;
    t.affinityBuf = hi * 0x100000000 + lo;
    ptraceInt(PTRACE_SYSCALL, t.tid, 0, 0);
    return true;
  }

  /** Syscall-exit stop of a sched_getaffinity made while pinned: report the original CPU set. */
  private onSyscallExit(t: Tracee, pid: number): void {
    const addr = t.affinityBuf;
    t.affinityBuf = undefined;
    if (
      addr !== undefined &&
      this.affinity &&
      ptraceInt(PTRACE_GET_SYSCALL_INFO, pid, SYSCALL_INFO_SIZE, this.infoAt) > 0 &&
      this.info[0] === SYSCALL_INFO_OP_EXIT &&
      this.info[32] === 0
    ) {
      const size = this.infoI32[6]!;
      if (size > 0) writeMemory(pid, addr, this.affinity.original.subarray(0, size));
    }
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  private unpin(): void {
    if (!this.affinity?.pinned) return;
    this.affinity.unpin(this.tracees.keys());
    Atomics.store(this.shared, SHARED_PINNED, 0);
  }

  private seenFirst(k: number): boolean {
    const seen = this.counters.seen;
    if (seen[k] !== 0) return false;
    seen[k] = 1;
    this.counters.distinct++;
    return true;
  }

  /** At a seccomp stop: skip the call so it returns -errno (nr -1 is not re-filtered). */
  private skipSyscall(pid: number): void {
    if (ptraceInt(PTRACE_GETREGS, pid, 0, this.regsAt) !== 0) return;
    this.regs[REG.orig_rax] = -1n;
    this.regs[REG.rax] = BigInt(-this.errnoValue);
    ptraceInt(PTRACE_SETREGS, pid, 0, this.regsAt);
  }

  /** The launcher's exec of the workload happened: from here on everything is recorded. */
  private startWorkload(proc: Proc): void {
    proc.launcher = false;
    this.processes++;
    this.threads++;
    Atomics.store(this.shared, SHARED_PROCESSES, this.processes);
  }

  private onSignal(t: Tracee, pid: number, sig: number): void {
    if (sig === SIGSYS && !t.proc.launcher && ptraceInt(PTRACE_GETSIGINFO, pid, 0, this.siginfoAt) === 0) {
      if (this.siginfo[2] === SYS_SECCOMP) {
        const nr = this.siginfo[6]!;
        const arch = archOf(this.siginfo[7]! >>> 0, nr);
        if (arch) {
          const event = this.filterEvent('trapped', t, pid, arch, nr);
          t.trapped = event;
          this.filterEvents.push(event);
        }
      }
    }
    ptraceInt(PTRACE_CONT, pid, 0, sig);
  }

  private filterEvent(
    kind: FilterEvent['kind'],
    t: Tracee,
    pid: number,
    arch: FilterEvent['arch'],
    nr: number,
  ) {
    let args: string[] = [];
    if (ptraceInt(PTRACE_GETREGS, pid, 0, this.regsAt) === 0) {
      const r = this.regs;
      const order =
        arch === 'i386'
          ? [REG.rbx, REG.rcx, REG.rdx, REG.rsi, REG.rdi, REG.rbp]
          : [REG.rdi, REG.rsi, REG.rdx, REG.r10, REG.r8, REG.r9];
      args = order.map((i) => (arch === 'i386' ? hex(r[i]! & 0xffffffffn) : hex(r[i]!)));
    }
    return {
      kind,
      pid: t.proc.tgid,
      executable: t.proc.exe.path,
      arch,
      nr,
      name: describeSyscall(arch, nr),
      args,
    } satisfies FilterEvent;
  }

  private onNewChild(parent: Tracee, pid: number, event: number): void {
    if (ptraceInt(PTRACE_GETEVENTMSG, pid, 0, this.msgAt) === 0) {
      const child = Number(this.msg[0]!);
      const known = this.tracees.get(child);
      if (known) known.announced = true;
      else if (this.goneEarly.has(child)) this.goneEarly.delete(child);
      else if (child > 0) {
        const tgid = readTgid(child) ?? (event === PTRACE_EVENT_CLONE ? parent.proc.tgid : child);
        this.register(child, tgid, parent.proc.exe).announced = true;
      }
    }
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  /** A stop from a pid we have not seen: a new child whose first stop beat its parent's event. */
  private adopt(pid: number): Tracee {
    const tgid = readTgid(pid) ?? pid;
    const owner = this.procs.get(tgid);
    return this.register(pid, tgid, owner?.exe ?? this.counters.exe(readExe(pid)));
  }

  private register(tid: number, tgid: number, exe: ExeCounters): Tracee {
    let proc = this.procs.get(tgid);
    if (!proc) {
      proc = { tgid, exe, launcher: false };
      this.procs.set(tgid, proc);
      this.processes++;
      Atomics.store(this.shared, SHARED_PROCESSES, this.processes);
    } else if (!proc.launcher) {
      // A second thread in one process: pinning would serialise it, so let everything run free.
      this.unpin();
    }
    if (!proc.launcher) this.threads++;
    if (this.affinity && !this.affinity.pinned) this.affinity.release(tid);
    return this.addTracee(tid, proc);
  }

  private addTracee(tid: number, proc: Proc): Tracee {
    let slot = this.freeSlots.pop() ?? -1;
    if (slot < 0 && this.nextSlot < SHARED_CAPACITY) slot = this.nextSlot++;
    if (slot >= 0) Atomics.store(this.shared, slot, tid);
    const t: Tracee = { tid, proc, slot, announced: false };
    this.tracees.set(tid, t);
    if (this.aborted) kill(tid, SIGKILL);
    return t;
  }

  private removeTracee(t: Tracee): void {
    this.tracees.delete(t.tid);
    if (!t.announced) this.goneEarly.add(t.tid);
    if (t.slot >= 0) {
      Atomics.store(this.shared, t.slot, 0);
      this.freeSlots.push(t.slot);
    }
  }

  private onExec(pid: number): void {
    let t = this.tracees.get(pid);
    if (ptraceInt(PTRACE_GETEVENTMSG, pid, 0, this.msgAt) === 0) {
      const former = Number(this.msg[0]!);
      if (former !== pid) {
        // execve from a non-leader thread: it now carries the tgid; the old tid is gone for good.
        const old = this.tracees.get(former);
        if (old) {
          this.removeTracee(old);
          if (!t) {
            t = this.addTracee(pid, old.proc);
            t.announced = true;
          }
        }
      }
    }
    if (!t) t = this.adopt(pid);
    const proc = t.proc;
    if (proc.launcher) this.startWorkload(proc);
    const path = readExe(pid);
    proc.exe = this.counters.exe(path);
    this.counters.execs.set(path, (this.counters.execs.get(path) ?? 0) + 1);
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  private onExitEvent(t: Tracee, pid: number): void {
    const proc = t.proc;
    if (!proc.launcher && !proc.filterEvent && ptraceInt(PTRACE_GETEVENTMSG, pid, 0, this.msgAt) === 0) {
      const exitStatus = Number(this.msg[0]!);
      if ((exitStatus & 0x7f) === SIGSYS) {
        if (t.trapped) proc.filterEvent = t.trapped;
        else this.detectFilterKill(t, pid);
      }
    }
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }

  /**
   * A thread ending with SIGSYS that got no SIGSYS signal-delivery stop was killed by the filter
   * (KILL_PROCESS/KILL_THREAD deliver it unblockably). The killing thread is the one whose
   * orig_rax holds a syscall number and whose rax was rolled back to it (kill-process) or still
   * holds -ENOSYS (kill-thread); the other threads of the group were interrupted (-EINTR & co.).
   */
  private detectFilterKill(t: Tracee, pid: number): void {
    if (ptraceInt(PTRACE_GETREGS, pid, 0, this.regsAt) !== 0) return;
    const orig = this.regs[REG.orig_rax]!;
    const rax = this.regs[REG.rax]!;
    if (orig < 0n || (rax !== orig && rax !== -ENOSYS)) return;
    let auditArch = AUDIT_ARCH.x86_64 as number;
    if (ptraceInt(PTRACE_GET_SYSCALL_INFO, pid, SYSCALL_INFO_SIZE, this.infoAt) > 0)
      auditArch = this.infoU32[1]!;
    const nr = Number(BigInt.asIntN(32, orig));
    const arch = archOf(auditArch, nr);
    if (!arch) return;
    const event = this.filterEvent('killed', t, pid, arch, nr);
    t.proc.filterEvent = event;
    this.filterEvents.push(event);
  }

  private onGone(pid: number, st: number): void {
    const t = this.tracees.get(pid);
    if (t) this.removeTracee(t);
    if (pid === this.rootPid) {
      this.rootStatus = st;
      if (t?.proc.launcher && this.launched) this.launcherStatus = readLauncherStatus(this.launched.statusFd);
    }
  }
}

function archName(a: number) {
  return a === ARCH_X86_64 ? 'x86_64' : a === ARCH_I386 ? 'i386' : a === ARCH_X32 ? 'x32' : 'aarch64';
}

/** The message for a trace that threw: a ProfilerError keeps its code, anything else is a bug. */
export function failureMessage(error: unknown): WorkerMessage {
  return isProfilerError(error)
    ? { type: 'error', code: error.code, message: error.message, exitCode: error.exitCode }
    : { type: 'error', code: 'INTERNAL', message: (error as Error)?.stack ?? String(error) };
}
