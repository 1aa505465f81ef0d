// The workload's own affinity calls while tracer and tracees are pinned to one CPU (affinity.ts):
// sched_setaffinity ends pinning (the workload's choice wins); sched_getaffinity runs to its exit
// stop, where the CPU set the workload would have seen untraced is written back into its buffer.
import { syscallNumber } from '../arch/index.js';
import type { Affinity } from './affinity.js';
import { PTRACE_CONT, PTRACE_SYSCALL, SYSCALL_INFO_OP_EXIT } from './constants.js';
import { ptraceInt } from './libc.js';
import { writeMemory } from './proc.js';
import type { StopBuffers } from './stop-buffers.js';
import type { Tracee } from './tracees.js';

/** sched_{set,get}affinity per counter ABI index (x86_64 and x32 share numbers; i386 has its own). */
const SET = [syscallNumber('x86_64', 'sched_setaffinity'), syscallNumber('i386', 'sched_setaffinity')];
const GET = [syscallNumber('x86_64', 'sched_getaffinity'), syscallNumber('i386', 'sched_getaffinity')];

export class AffinityCalls {
  constructor(
    private readonly bufs: StopBuffers,
    private readonly affinity: Affinity,
    private readonly unpin: () => void,
  ) {}

  /**
   * At a seccomp stop while pinned, with `idx` the syscall number without the x32 bit. Returns true
   * when the tracee was resumed here (to stop again at the syscall's exit).
   */
  atSeccompStop(t: Tracee, i386: boolean, idx: number): boolean {
    if (!this.affinity.pinned) return false;
    const which = i386 ? 1 : 0;
    if (idx === SET[which]) {
      this.unpin();
      return false;
    }
    if (idx !== GET[which]) return false;
    // The mask pointer is argument 2: seccomp.args[2] (u64 at info + 48, i.e. u32 words 12 and 13).
    const lo = this.bufs.infoU32[12]!;
    const hi = i386 ? 0 : this.bufs.infoU32[13]!;
    t.affinityBuf = hi * 0x100000000 + lo;
    ptraceInt(PTRACE_SYSCALL, t.tid, 0, 0);
    return true;
  }

  /** Syscall-exit stop of a sched_getaffinity made while pinned: report the original CPU set. */
  atSyscallExit(t: Tracee, pid: number): void {
    const addr = t.affinityBuf;
    t.affinityBuf = undefined;
    const info = this.bufs.info;
    if (
      addr !== undefined &&
      this.bufs.syscallInfo(pid) &&
      info[0] === SYSCALL_INFO_OP_EXIT &&
      info[32] === 0
    ) {
      const size = this.bufs.infoI32[6]!;
      if (size > 0) writeMemory(pid, addr, this.affinity.original.subarray(0, size));
    }
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }
}
