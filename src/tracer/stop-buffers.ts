// Preallocated native memory for what the trace loop reads at each stop (wait status, syscall info,
// registers, siginfo, event message), passed to ptrace and waitpid as integer addresses, and typed
// views over it: the hot path allocates nothing (koffi: ≈0.8 µs per call instead of ≈1.2 with arrays).
import {
  PTRACE_GET_SYSCALL_INFO,
  PTRACE_GETEVENTMSG,
  PTRACE_GETREGS,
  PTRACE_GETSIGINFO,
  PTRACE_SETREGS,
  SIGINFO_SIZE,
  SYSCALL_INFO_SIZE,
  USER_REGS_SIZE,
} from './constants.js';
import { nativeBuffer, ptraceInt } from './libc.js';

export class StopBuffers {
  private readonly mem = nativeBuffer(8 + SYSCALL_INFO_SIZE + USER_REGS_SIZE + SIGINFO_SIZE + 8);
  readonly statusAt = this.mem.address;
  /** Where PTRACE_GET_SYSCALL_INFO writes `info` (fast-stops.ts writes there too). */
  readonly infoAt = this.mem.address + 8;
  private readonly regsAt = this.infoAt + SYSCALL_INFO_SIZE;
  private readonly siginfoAt = this.regsAt + USER_REGS_SIZE;
  private readonly msgAt = this.siginfoAt + SIGINFO_SIZE;
  /** The wait status waitpid wrote at statusAt. */
  readonly status = new Int32Array(this.mem.bytes.buffer, 0, 1);
  /** struct ptrace_syscall_info, as bytes, u32 and i32 words. */
  readonly info = new Uint8Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE);
  readonly infoU32 = new Uint32Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE / 4);
  readonly infoI32 = new Int32Array(this.mem.bytes.buffer, 8, SYSCALL_INFO_SIZE / 4);
  /** struct user_regs_struct (index with REG). */
  readonly regs = new BigInt64Array(
    this.mem.bytes.buffer,
    this.regsAt - this.mem.address,
    USER_REGS_SIZE / 8,
  );
  /** siginfo_t as i32 words. */
  readonly siginfo = new Int32Array(
    this.mem.bytes.buffer,
    this.siginfoAt - this.mem.address,
    SIGINFO_SIZE / 4,
  );
  private readonly msg = new BigUint64Array(this.mem.bytes.buffer, this.msgAt - this.mem.address, 1);

  /** PTRACE_GET_SYSCALL_INFO into `info`; false when the call failed (see errno()). */
  syscallInfo(pid: number): boolean {
    return ptraceInt(PTRACE_GET_SYSCALL_INFO, pid, SYSCALL_INFO_SIZE, this.infoAt) > 0;
  }

  /** PTRACE_GETREGS into `regs`. */
  getRegs(pid: number): boolean {
    return ptraceInt(PTRACE_GETREGS, pid, 0, this.regsAt) === 0;
  }

  /** PTRACE_SETREGS from `regs`. */
  setRegs(pid: number): boolean {
    return ptraceInt(PTRACE_SETREGS, pid, 0, this.regsAt) === 0;
  }

  /** PTRACE_GETSIGINFO into `siginfo`. */
  sigInfo(pid: number): boolean {
    return ptraceInt(PTRACE_GETSIGINFO, pid, 0, this.siginfoAt) === 0;
  }

  /** PTRACE_GETEVENTMSG, or undefined when it failed. */
  eventMessage(pid: number): number | undefined {
    return ptraceInt(PTRACE_GETEVENTMSG, pid, 0, this.msgAt) === 0 ? Number(this.msg[0]!) : undefined;
  }
}
