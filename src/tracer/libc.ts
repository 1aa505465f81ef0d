// The libc functions the tracer and the launcher call, through koffi.
// Fixed (non-variadic) prototypes: koffi sets %al for us on x86-64 and fixed calls are faster
// (DESIGN fact 17). Buffers are preallocated by callers and read through typed-array views.
import { nativeArch, syscallNumber } from '../arch/index.js';
import { offerLibcExit } from '../util/hard-exit.js';
import { koffi } from './ffi.js';

const libc = koffi.load('libc.so.6');
offerLibcExit(libc.func('void _exit(int status)') as (status: number) => void);

/** ptrace with an integer `data` (options, signal numbers). */
export const ptraceInt = libc.func('long ptrace(long request, int pid, uintptr_t addr, uintptr_t data)') as (
  request: number,
  pid: number,
  addr: number,
  data: number,
) => number;

/** ptrace with a buffer `data` (GET_SYSCALL_INFO, GETREGS, GETSIGINFO, GETEVENTMSG). */
export const ptraceBuf = libc.func('long ptrace(long request, int pid, uintptr_t addr, void *data)') as (
  request: number,
  pid: number,
  addr: number,
  data: Uint8Array | Int32Array | BigUint64Array | BigInt64Array,
) => number;

/** waitpid with `status` given as a native address (see nativeBuffer): the hot-path form. */
export const waitpidAt = libc.func('int waitpid(int pid, uintptr_t status, int options)') as (
  pid: number,
  status: number,
  options: number,
) => number;

/** waitpid(pid, &status, options); `status` is an Int32Array(1). */
export const waitpid = libc.func('int waitpid(int pid, void *status, int options)') as (
  pid: number,
  status: Int32Array,
  options: number,
) => number;

export const posixSpawn = libc.func(
  'int posix_spawn(void *pid, const char *path, void *file_actions, void *attrp, const char **argv, const char **envp)',
) as (
  pid: Int32Array,
  path: string,
  fileActions: Uint8Array | null,
  attr: Uint8Array | null,
  argv: (string | null)[],
  envp: (string | null)[],
) => number;
export const posixSpawnFileActionsInit = libc.func('int posix_spawn_file_actions_init(void *fa)') as (
  fa: Uint8Array,
) => number;
export const posixSpawnFileActionsAddDup2 = libc.func(
  'int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)',
) as (fa: Uint8Array, fd: number, newfd: number) => number;
export const posixSpawnFileActionsDestroy = libc.func('int posix_spawn_file_actions_destroy(void *fa)') as (
  fa: Uint8Array,
) => number;

export const pipe2 = libc.func('int pipe2(void *fds, int flags)') as (
  fds: Int32Array,
  flags: number,
) => number;
export const fcntlInt = libc.func('int fcntl(int fd, int cmd, int arg)') as (
  fd: number,
  cmd: number,
  arg: number,
) => number;
export const prctl = libc.func(
  'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
) as (option: number, a2: number, a3: number, a4: number, a5: number) => number;
const SockFprog = koffi.struct('sock_fprog', { len: 'uint16_t', filter: 'void *' });
/** syscall(SYS_seccomp, op, flags, &prog): the raw seccomp(2) call (glibc has no wrapper). */
export const syscallSeccomp = libc.func(
  'long syscall(long nr, unsigned int op, unsigned int flags, const sock_fprog *prog)',
) as (nr: number, op: number, flags: number, prog: { len: number; filter: Uint8Array }) => number;
void SockFprog;
/** syscall(SYS_bpf, cmd, &attr, size): the raw bpf(2) call, `attr` a native address (ebpf/bpf.ts). */
export const syscallBpf = libc.func('long syscall(long nr, int cmd, uintptr_t attr, unsigned int size)') as (
  nr: number,
  cmd: number,
  attr: number,
  size: number,
) => number;
/** Anonymous mappings for large kernel copies (ebpf/btf.ts: MAP_POPULATE). */
export const mmap = libc.func(
  'void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)',
) as (addr: null, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
export const munmap = libc.func('int munmap(void *addr, size_t len)') as (
  addr: unknown,
  len: number,
) => number;
export const execve = libc.func('int execve(const char *path, const char **argv, const char **envp)') as (
  path: string,
  argv: (string | null)[],
  envp: (string | null)[],
) => number;
/** execve with path, argv and envp built in native memory (nativeString(s)): bytes pass unchanged. */
export const execveBytes = libc.func('int execve(uintptr_t path, uintptr_t argv, uintptr_t envp)') as (
  path: number,
  argv: number,
  envp: number,
) => number;
/** signal(sig, SIG_DFL): pass 0 as the handler. */
export const signalDefault = libc.func('uintptr_t signal(int sig, uintptr_t handler)') as (
  sig: number,
  handler: number,
) => number;
/**
 * rt_sigaction(sig, {handler}, NULL, 8) as a raw syscall: handler 0 (SIG_DFL) or 1 (SIG_IGN). glibc's
 * sigaction refuses its internal signals 32/33, which its posix_spawn leaves ignored in the child.
 * Setting SIGUSR1 this way also replaces Node's native handler, which starts the inspector.
 */
const rawRtSigaction = libc.func('long syscall(long nr, int sig, void *act, void *oact, size_t size)') as (
  nr: number,
  sig: number,
  act: Uint8Array,
  oact: null,
  size: number,
) => number;
const NR_RT_SIGACTION = syscallNumber(nativeArch(), 'rt_sigaction')!;
export const SIG_DFL = 0;
export const SIG_IGN = 1;
export function rtSigaction(sig: number, handler: typeof SIG_DFL | typeof SIG_IGN): number {
  const act = new Uint8Array(32);
  act[0] = handler;
  return rawRtSigaction(NR_RT_SIGACTION, sig, act, null, 8);
}
export const sigprocmask = libc.func('int pthread_sigmask(int how, void *set, void *oldset)') as (
  how: number,
  set: Uint8Array,
  oldset: Uint8Array | null,
) => number;
export const schedSetaffinity = libc.func('int sched_setaffinity(int pid, size_t size, void *mask)') as (
  pid: number,
  size: number,
  mask: Uint8Array,
) => number;
export const schedGetaffinity = libc.func('int sched_getaffinity(int pid, size_t size, void *mask)') as (
  pid: number,
  size: number,
  mask: Uint8Array,
) => number;
export const schedGetcpu = libc.func('int sched_getcpu()') as () => number;
export const gettid = libc.func('int gettid()') as () => number;
/** chdir with the path as a native address (see nativeString): any bytes but NUL. */
export const chdir = libc.func('int chdir(uintptr_t path)') as (path: number) => number;
export const close = libc.func('int close(int fd)') as (fd: number) => number;
export const tcgetattr = libc.func('int tcgetattr(int fd, void *termios)') as (
  fd: number,
  termios: Uint32Array,
) => number;
export const dup2 = libc.func('int dup2(int oldfd, int newfd)') as (oldfd: number, newfd: number) => number;
export const kill = libc.func('int kill(int pid, int sig)') as (pid: number, sig: number) => number;

/** errno of the last failed call on this thread. */
export function errno(): number {
  return koffi.errno();
}

/**
 * NUL-terminated copies of `strings` and a NULL-ended array of pointers to them, in native memory:
 * the `char **` execve takes, holding bytes exactly (no UTF-8 round trip). Returns its address.
 */
export function nativeStrings(strings: readonly Uint8Array[]): number {
  const table = nativeBuffer((strings.length + 1) * 8);
  const pointers = new BigUint64Array(table.bytes.buffer, table.bytes.byteOffset, strings.length + 1);
  strings.forEach((s, i) => {
    pointers[i] = BigInt(nativeString(s));
  });
  pointers[strings.length] = 0n;
  return table.address;
}

/** A NUL-terminated copy of `bytes` in native memory (a `const char *`); returns its address. */
export function nativeString(bytes: Uint8Array): number {
  const text = nativeBuffer(bytes.length + 1);
  text.bytes.set(bytes, 0);
  text.bytes[bytes.length] = 0;
  return text.address;
}

/**
 * Native memory the hot path hands to ptrace as a plain integer address: koffi passes integers
 * faster than typed arrays (≈0.8 µs against ≈1.2 µs per call here). Read it through `bytes`.
 * Never freed: one per trace loop.
 */
export function nativeBuffer(size: number): { readonly address: number; readonly bytes: Uint8Array } {
  const mem = koffi.alloc('uint8_t', size);
  return { address: Number(koffi.address(mem)), bytes: new Uint8Array(koffi.view(mem, size)) };
}
