// Naming what broke in a container: which process, on which syscall, and whether that was the
// workload or the runtime, with what to do about it.
import type { Arch } from '../arch/index.js';
import { runtimeSyscalls } from '../generator/policy/runtime.js';
import type { RuntimeInfo } from './runtimes.js';

/** A syscall a container's profile blocked (enforce) or would have blocked (check). */
export interface ContainerViolation {
  readonly kind: 'killed' | 'trapped' | 'would-block';
  /** The container's own processes, or the runtime before it exec'd them (under the filter). */
  readonly role: 'workload' | 'runtime';
  readonly syscall: string;
  readonly arch: Arch;
  readonly nr: number;
  readonly pid?: number;
  readonly executable: string;
  /** The thread's name, e.g. `runc:[2:INIT]`. */
  readonly comm?: string;
  /** For kills: the six argument registers (hex). */
  readonly args?: readonly string[];
  readonly count: number;
  /** One sentence: what this means and what to do. */
  readonly advice: string;
}

function nnpWord(nnp: boolean): string {
  return nnp ? 'NNP-on' : 'NNP-off';
}

/** The advice for a syscall the runtime made under the filter. */
export function runtimeAdvice(syscall: string, runtime: RuntimeInfo | undefined): string {
  if (!runtime) return `the container runtime needs ${syscall} after loading the filter`;
  const known = runtime.name === 'runc' || runtime.name === 'crun';
  const set = known ? runtimeSyscalls(runtime.name as 'runc' | 'crun', runtime.noNewPrivileges) : [];
  const regenerate = `regenerate with \`profile generate REC --format docker\` (default options add the runc and crun sets) or \`--runtime ${runtime.name}${runtime.noNewPrivileges ? ' --nnp' : ' --no-nnp'}\``;
  if (set.includes(syscall))
    return `the profile lacks ${runtime.name}'s ${nnpWord(runtime.noNewPrivileges)} set; ${regenerate}`;
  return `${runtime.name} ${runtime.version} needs ${syscall} after loading the filter, and the measured ${runtime.name} set lacks it: re-measure with \`npm run gen:runtime-sets\``;
}

/** The advice for a syscall of the workload. */
export function workloadAdvice(syscall: string, kind: ContainerViolation['kind']): string {
  return kind === 'would-block'
    ? `the workload now makes ${syscall}: \`profile check --update\` or record again`
    : `the profile lacks ${syscall}, which the workload makes: record the container again (\`profile record -- … run …\`) and regenerate`;
}

/** `runc:[2:INIT] (pid 123, /usr/sbin/runc) was killed on epoll_ctl after loading the filter: …` */
export function describeContainerViolation(v: ContainerViolation): string {
  const who = v.comm
    ? `${v.comm} (pid ${v.pid ?? '?'}, ${v.executable})`
    : `${v.executable}${v.pid ? ` (pid ${v.pid})` : ''}`;
  const what =
    v.kind === 'would-block'
      ? `would be blocked on ${v.syscall}${v.count > 1 ? ` (${v.count}×)` : ''}`
      : `was ${v.kind} on ${v.syscall}`;
  const when = v.role === 'runtime' ? ' after loading the filter' : '';
  return `the ${v.role === 'workload' ? 'workload' : 'runtime'}: ${who} ${what} (${v.arch} syscall ${v.nr})${when}: ${v.advice}`;
}
