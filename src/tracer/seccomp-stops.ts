// The hot path: a seccomp stop (one per traced syscall). Reads arch, number and arguments with one
// PTRACE_GET_SYSCALL_INFO, counts them for the process's executable, and resumes the tracee, or
// skips the call so that it returns -errno (the enforcer's errno mode).

import { errnoText } from '../arch/errno.js';
import { ARCHES, AUDIT_ARCH, describeSyscall, syscallNumber, X32_SYSCALL_BIT } from '../arch/index.js';
import { ProfilerError } from '../errors.js';
import type { AffinityCalls } from './affinity-calls.js';
import { ESRCH, REG, SYSCALL_INFO_OP_SECCOMP } from './constants.js';
import { ARCH_AARCH64, ARCH_I386, ARCH_X32, ARCH_X86_64, type Counters, NR_SLOTS } from './counters.js';
import type { FastStops } from './fast-stops.js';
import { errno } from './libc.js';
import { realpathOr } from './proc.js';
import { SHARED_DISTINCT, type WorkerInput } from './protocol.js';
import type { StopBuffers } from './stop-buffers.js';
import type { Tracee } from './tracees.js';

const NR_EXECVE = syscallNumber('x86_64', 'execve')!;
const NR_EXECVEAT = syscallNumber('x86_64', 'execveat')!;
/** Calls AffinityCalls looks at while pinned: never counted natively. */
const AFFINITY_CALLS = new Set([
  syscallNumber('x86_64', 'sched_setaffinity')!,
  syscallNumber('x86_64', 'sched_getaffinity')!,
]);

export class SeccompStops {
  /** Set when nothing can be recorded on this kernel; the loop then ends the workload. */
  fatal: ProfilerError | undefined;
  private readonly errnoValue: number;
  /** With input.scopes: the RET_TRACE data that marks a stop (-1: none). */
  private readonly marker: number;
  /** No errno mode and no scopes: a stop may be nothing but a count (the native path's case). */
  private readonly plain: boolean;

  constructor(
    private readonly input: WorkerInput,
    private readonly bufs: StopBuffers,
    private readonly counters: Counters,
    private readonly shared: Int32Array,
    private readonly fast: FastStops | undefined,
    private readonly onFatal: () => void,
  ) {
    this.errnoValue = input.onTraceStop === 'continue' ? 0 : input.onTraceStop.errno;
    this.marker = input.scopes?.marker ?? -1;
    this.plain = this.errnoValue === 0 && input.scopes === undefined;
  }

  /** Handles the stop; returns true when the tracee was resumed here (else the caller resumes it). */
  onStop(t: Tracee, pid: number, rootPid: number, affinity: AffinityCalls | undefined): boolean {
    const bufs = this.bufs;
    const fast = this.fast;
    // The native path read the call already (fast-stops.c).
    if (!(fast ? fast.infoResult > 0 : bufs.syscallInfo(pid))) {
      const err = fast ? fast.infoErrno : errno();
      if (err === ESRCH) return true; // killed under our feet
      // EIO/EINVAL: a kernel older than 5.3. Nothing can be recorded: end the workload.
      this.fatal ??= new ProfilerError(
        'UNAVAILABLE',
        `this kernel does not support PTRACE_GET_SYSCALL_INFO (${errnoText(err)}); Linux 5.3 or newer is needed`,
      );
      this.onFatal();
      return false;
    }
    if (bufs.info[0] !== SYSCALL_INFO_OP_SECCOMP) return false;
    const auditArch = bufs.infoU32[1]!;
    const nr = bufs.infoI32[6]!;
    let a: number;
    if (auditArch === AUDIT_ARCH.x86_64) a = nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0 ? ARCH_X32 : ARCH_X86_64;
    else if (auditArch === AUDIT_ARCH.i386) a = ARCH_I386;
    else if (auditArch === AUDIT_ARCH.aarch64) a = ARCH_AARCH64;
    else a = -1;
    const proc = t.proc;
    let exe = proc.exe;
    if (proc.launcher) {
      // The launcher's own calls are not the workload's; its execve of the workload is, and
      // belongs to the program it starts. The phase ends at the exec event (see loop.ts).
      if (t.tid !== rootPid || a !== ARCH_X86_64 || (nr !== NR_EXECVE && nr !== NR_EXECVEAT)) return false;
      exe = this.counters.exe(realpathOr(this.input.path));
    } else if (this.marker >= 0 && exe.scope === undefined && bufs.infoU32[20] === this.marker) {
      // seccomp.ret_data (@80): the container's filter, stacked after ours, traced this call.
      exe = this.counters.exe(exe.path, 'marked');
    }
    const idx = a === ARCH_X32 ? nr & ~X32_SYSCALL_BIT : nr;
    if (a >= 0) {
      const counters = this.counters;
      if (idx >= 0 && idx < NR_SLOTS) {
        const k = a * NR_SLOTS + idx;
        exe.counts[k]!++;
        if (counters.seen[k] === 0) {
          counters.seen[k] = 1;
          counters.distinct++;
          Atomics.store(this.shared, SHARED_DISTINCT, counters.distinct);
        }
        const spec = counters.specs[k];
        if (spec !== undefined)
          counters.captureArgs(k, spec, describeSyscall(ARCHES[a]!, nr), bufs.infoU32, 8);
        else if (fast && a === ARCH_X86_64 && this.plain && !proc.launcher && exe.scope === undefined) {
          // Nothing but a count to record for this call, now that it was seen: the native path may
          // count its next ones for this thread itself, until the loop sees another kind of stop.
          if (!AFFINITY_CALLS.has(idx)) fast.allow(idx);
          fast.remember(t.tid, exe.counts);
        }
      } else if (counters.countOther(exe, a, nr)) {
        Atomics.store(this.shared, SHARED_DISTINCT, counters.distinct);
      }
    }
    // The launcher's execve of the workload always runs: skipping it would skip the whole run.
    if (this.errnoValue !== 0 && !proc.launcher) {
      this.skip(pid);
      return false;
    }
    return a >= 0 && affinity !== undefined && affinity.atSeccompStop(t, a === ARCH_I386, idx);
  }

  /** Skips the call so it returns -errno (nr -1 is not re-filtered). */
  private skip(pid: number): void {
    if (!this.bufs.getRegs(pid)) return;
    this.bufs.regs[REG.orig_rax] = -1n;
    this.bufs.regs[REG.rax] = BigInt(-this.errnoValue);
    this.bufs.setRegs(pid);
  }
}
