// Kernel ABI constants for ptrace, wait and seccomp (x86_64 Linux). Values from <linux/ptrace.h>,
// <linux/seccomp.h>, <sys/wait.h>, <sys/user.h>.

export const PTRACE_CONT = 7;
export const PTRACE_SYSCALL = 24;
export const PTRACE_GETREGS = 12;
export const PTRACE_SETREGS = 13;
export const PTRACE_GETEVENTMSG = 0x4201;
export const PTRACE_GETSIGINFO = 0x4202;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_LISTEN = 0x4208;
export const PTRACE_GET_SYSCALL_INFO = 0x420e;
export const PTRACE_SECCOMP_GET_FILTER = 0x420c;
export const PTRACE_DETACH = 17;

export const PTRACE_EVENT_FORK = 1;
export const PTRACE_EVENT_VFORK = 2;
export const PTRACE_EVENT_CLONE = 3;
export const PTRACE_EVENT_EXEC = 4;
export const PTRACE_EVENT_EXIT = 6;
export const PTRACE_EVENT_SECCOMP = 7;
export const PTRACE_EVENT_STOP = 128;

export const PTRACE_O_TRACESYSGOOD = 1;
export const PTRACE_O_TRACEFORK = 1 << PTRACE_EVENT_FORK;
export const PTRACE_O_TRACEVFORK = 1 << PTRACE_EVENT_VFORK;
export const PTRACE_O_TRACECLONE = 1 << PTRACE_EVENT_CLONE;
export const PTRACE_O_TRACEEXEC = 1 << PTRACE_EVENT_EXEC;
export const PTRACE_O_TRACEEXIT = 1 << PTRACE_EVENT_EXIT;
export const PTRACE_O_TRACESECCOMP = 1 << PTRACE_EVENT_SECCOMP;
export const PTRACE_O_EXITKILL = 1 << 20;

/** The options every tracee gets (children inherit them). */
export const TRACE_OPTIONS =
  PTRACE_O_TRACESYSGOOD |
  PTRACE_O_TRACESECCOMP |
  PTRACE_O_TRACEFORK |
  PTRACE_O_TRACEVFORK |
  PTRACE_O_TRACECLONE |
  PTRACE_O_TRACEEXEC |
  PTRACE_O_TRACEEXIT |
  PTRACE_O_EXITKILL;

/** struct ptrace_syscall_info: op (u8 @0), arch (u32 @4), seccomp.nr (u64 @24), args (u64 @32..79). */
export const SYSCALL_INFO_SIZE = 88;
export const SYSCALL_INFO_OP_NONE = 0;
export const SYSCALL_INFO_OP_EXIT = 2;
export const SYSCALL_INFO_OP_SECCOMP = 3;

/** struct user_regs_struct: 27 u64 words. Word indices of the registers we use. */
export const USER_REGS_SIZE = 27 * 8;
export const REG = {
  rbp: 4,
  rbx: 5,
  r10: 7,
  r9: 8,
  r8: 9,
  rax: 10,
  rcx: 11,
  rdx: 12,
  rsi: 13,
  rdi: 14,
  orig_rax: 15,
  cs: 17,
} as const;

/** siginfo_t: si_signo @0, si_code @8; for SIGSYS: _syscall (i32 @24), _arch (u32 @28). */
export const SIGINFO_SIZE = 128;
/** siginfo si_code of a SIGSYS raised by a seccomp TRAP action. */
export const SYS_SECCOMP = 1;

export const WALL = 0x40000000;
export const WNOTHREAD = 0x20000000;
export const WNOHANG = 1;

export const SECCOMP_SET_MODE_FILTER = 1;
export const PR_SET_NO_NEW_PRIVS = 38;

export const CLONE_THREAD = 0x00010000;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const O_CLOEXEC = 0o2000000;

export const ESRCH = 3;
export const EINTR = 4;
export const ECHILD = 10;
