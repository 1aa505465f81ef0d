// What the installed filter did in the kernel, seen from the tracer: a SIGSYS from a TRAP action
// (siginfo si_code SYS_SECCOMP names the syscall), and a kill, which leaves only a thread ending by
// SIGSYS without any delivery stop; the killing syscall is then read back from its registers
// (DESIGN fact 14).

import { errnoNumber } from '../arch/errno.js';
import { type Arch, AUDIT_ARCH, archOf, describeSyscall } from '../arch/index.js';
import { REG, SYS_SECCOMP } from './constants.js';
import { hex, readComm } from './proc.js';
import type { FilterEvent } from './protocol.js';
import type { StopBuffers } from './stop-buffers.js';
import type { Tracee } from './tracees.js';

export const SIGSYS = 31;
const ENOSYS = BigInt(errnoNumber('ENOSYS')!);
/** Where the i386 and the x86_64 syscall ABIs pass the six arguments. */
const ARG_REGS_I386 = [REG.rbx, REG.rcx, REG.rdx, REG.rsi, REG.rdi, REG.rbp];
const ARG_REGS_X86_64 = [REG.rdi, REG.rsi, REG.rdx, REG.r10, REG.r8, REG.r9];

export class FilterEvents {
  readonly events: FilterEvent[] = [];
  /** The processes the filter ended: a kill, or a trap whose SIGSYS ended it. One per process. */
  readonly kills: FilterEvent[] = [];

  /** `scoped`: say whether the caller was inside the container, and its thread name. */
  constructor(
    private readonly bufs: StopBuffers,
    private readonly scoped = false,
  ) {}

  /** At a SIGSYS signal-delivery stop: a trap action's signal names its syscall in siginfo. */
  onSigsys(t: Tracee, pid: number): void {
    if (!this.bufs.sigInfo(pid)) return;
    const si = this.bufs.siginfo;
    if (si[2] !== SYS_SECCOMP) return;
    const nr = si[6]!;
    const arch = archOf(si[7]! >>> 0, nr);
    if (!arch) return;
    const event = this.event('trapped', t, pid, arch, nr);
    t.trapped = event;
    this.events.push(event);
  }

  /**
   * At the exit stop of a thread ending with SIGSYS. With a trap SIGSYS delivered first, that trap
   * ended it. Otherwise the filter killed it (KILL_PROCESS/KILL_THREAD deliver SIGSYS unblockably):
   * the killing thread is the one whose orig_rax holds a syscall number and whose rax was rolled
   * back to it (kill-process) or still holds -ENOSYS (kill-thread); the other threads of the group
   * were interrupted (-EINTR & co.).
   */
  onSigsysExit(t: Tracee, pid: number): void {
    if (t.trapped) {
      t.proc.filterEvent = t.trapped;
      this.kills.push(t.trapped);
      return;
    }
    if (!this.bufs.getRegs(pid)) return;
    const orig = this.bufs.regs[REG.orig_rax]!;
    const rax = this.bufs.regs[REG.rax]!;
    if (orig < 0n || (rax !== orig && rax !== -ENOSYS)) return;
    const auditArch = this.bufs.syscallInfo(pid) ? this.bufs.infoU32[1]! : AUDIT_ARCH.x86_64;
    const nr = Number(BigInt.asIntN(32, orig));
    const arch = archOf(auditArch, nr);
    if (!arch) return;
    const event = this.event('killed', t, pid, arch, nr);
    t.proc.filterEvent = event;
    this.events.push(event);
    this.kills.push(event);
  }

  private event(kind: FilterEvent['kind'], t: Tracee, pid: number, arch: Arch, nr: number): FilterEvent {
    let args: string[] = [];
    if (this.bufs.getRegs(pid)) {
      const r = this.bufs.regs;
      args =
        arch === 'i386'
          ? ARG_REGS_I386.map((i) => hex(r[i]! & 0xffffffffn))
          : ARG_REGS_X86_64.map((i) => hex(r[i]!));
    }
    return {
      kind,
      pid: t.proc.tgid,
      executable: t.proc.exe.path,
      arch,
      nr,
      name: describeSyscall(arch, nr),
      args,
      ...(this.scoped ? { contained: t.proc.exe.scope === 'contained', comm: readComm(pid) } : {}),
    };
  }
}
