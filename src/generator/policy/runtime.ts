// Syscalls that must be allowed for reasons outside the recording: the documented baseline,
// and what container runtimes do between installing the filter and exec'ing the workload.
import type { Runtime } from './options.js';

/**
 * A recording can miss these but production hits them: signal return (only after a handler ran),
 * restart after a signal interrupted a sleep, thread/process exit (a killed-by-timeout run
 * never reaches them), and sched_yield: spin locks (V8, glibc, Go) yield only under contention,
 * and tracing serialises threads so that contention rarely happens while recording (measured:
 * node hashing in a worker yielded in 0/6 recorded runs and 10/12 native ones). Turn off with `--no-baseline`.
 */
export const BASELINE_SYSCALLS: readonly string[] = [
  'rt_sigreturn',
  'restart_syscall',
  'exit',
  'exit_group',
  'sched_yield',
];

/**
 * Go runtime housekeeping that can run on runc's init thread at any moment after the filter is in
 * (scheduler, GC, signal delivery). Measured runs did not always hit them; leaving them out would make
 * container start-up fail at random.
 */
const GO_RUNTIME: readonly string[] = [
  'futex',
  'nanosleep',
  'sched_yield',
  'rt_sigprocmask',
  'rt_sigreturn',
  'sigaltstack',
  'madvise',
  'mmap',
  'munmap',
  'tgkill',
  'gettid',
  'getpid',
];

/**
 * runc 1.1.5 with `process.noNewPrivileges: true` loads the filter last, right before execve
 * (standard_init_linux.go). Measured with `strace -f runc run` on this machine: every syscall the init
 * thread made after prctl(PR_SET_SECCOMP) up to execve of the workload (test/generator/consumers proves
 * the set on runc itself). close_range is what newer runc versions use for the same fd sweep.
 */
const RUNC_NNP: readonly string[] = [
  'close',
  'close_range',
  'epoll_ctl',
  'execve',
  'fstatfs',
  'getdents64',
  'openat',
  'write',
  ...GO_RUNTIME,
];

/**
 * runc with `noNewPrivileges: false` must load the filter while it still has privileges, before it
 * drops capabilities and switches user (finalizeNamespace), so all of that runs under the filter too.
 */
const RUNC_PRIVILEGED: readonly string[] = [
  ...RUNC_NNP,
  'capget',
  'capset',
  'chdir',
  'faccessat2',
  'fcntl',
  'fstat',
  'getcwd',
  'getppid',
  'newfstatat',
  'prctl',
  'read',
  'setgid',
  'setgroups',
  'setuid',
  'setresgid',
  'setresuid',
];

/**
 * crun (C, no Go runtime), from crun's source (libcrun/container.c, container_init), NOT measured:
 * crun cannot run on this VM's cgroup layout. With NNP it applies the filter last, then closes the
 * seccomp fds, sets the umask, writes "0" to its sync pipe, closes it and execv()s.
 */
const CRUN_NNP: readonly string[] = ['close', 'umask', 'write', 'execve', 'rt_sigreturn'];

/**
 * Without NNP crun applies the filter before setgroups, chowning the std streams, dropping
 * capabilities (libcrun_set_caps: capset, prctl bounding/ambient/keepcaps, setresuid/setresgid) and chdir.
 */
const CRUN_PRIVILEGED: readonly string[] = [
  ...CRUN_NNP,
  'setgroups',
  'fstat',
  'newfstatat',
  'fchown',
  'capget',
  'capset',
  'prctl',
  'setresgid',
  'setresuid',
  'setgid',
  'setuid',
  'chdir',
];

/** The syscalls `runtime` needs after loading the filter (sorted, unique; names may not exist on every ABI). */
export function runtimeSyscalls(runtime: Runtime, noNewPrivileges: boolean): readonly string[] {
  let set: readonly string[];
  switch (runtime) {
    case 'none':
      return [];
    case 'runc':
      set = noNewPrivileges ? RUNC_NNP : RUNC_PRIVILEGED;
      break;
    case 'crun':
      set = noNewPrivileges ? CRUN_NNP : CRUN_PRIVILEGED;
      break;
  }
  return [...new Set(set)].sort();
}
