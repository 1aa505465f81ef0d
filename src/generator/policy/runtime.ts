// Syscalls that must be allowed for reasons outside the recording: the documented baseline,
// and what container runtimes do between installing the filter and exec'ing the workload
// (measured: runtime-sets.ts).
import type { Runtime } from './options.js';
import { RUNTIME_SETS } from './runtime-sets.js';

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
 * container start-up fail at random. Added to runc's measured sets (runtime-sets.ts).
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

/** runc's set on newer versions uses close_range for the same fd sweep as 1.1.5's close loop. */
const RUNC_NEWER: readonly string[] = ['close_range'];

/** One runtime's measured sets for both ways of driving it; NNP undefined: both settings. */
function measured(name: 'runc' | 'crun', noNewPrivileges: boolean | undefined): string[] {
  const modes = Object.values(RUNTIME_SETS[name].sets);
  const keys: readonly ('nnp' | 'no-nnp')[] =
    noNewPrivileges === undefined ? ['nnp', 'no-nnp'] : [noNewPrivileges ? 'nnp' : 'no-nnp'];
  return modes.flatMap((m) => keys.flatMap((k) => m[k]));
}

/**
 * The syscalls `runtime` makes after loading the filter, measured (runtime-sets.ts), sorted and
 * unique; names may not exist on every ABI. `noNewPrivileges` undefined: either setting (what a
 * profile for `docker run` and `podman run` with and without `--security-opt no-new-privileges`
 * needs). 'any' is runc and crun; 'auto' not resolved by the caller means no container target.
 */
export function runtimeSyscalls(runtime: Runtime, noNewPrivileges?: boolean): readonly string[] {
  const set: string[] = [];
  if (runtime === 'runc' || runtime === 'any')
    set.push(...measured('runc', noNewPrivileges), ...GO_RUNTIME, ...RUNC_NEWER);
  if (runtime === 'crun' || runtime === 'any') set.push(...measured('crun', noNewPrivileges));
  return [...new Set(set)].sort();
}
