// Options of policy generation, their defaults, and parsers for their command-line spellings.
import { release } from 'node:os';
import { errnoNames, errnoNumber, errnoText } from '../../arch/errno.js';
import { ARCHES, type Arch, isArch } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { isKnownSyscall, suggestion } from './names.js';
import type { Action } from './types.js';

export type ArgsMode = 'none' | 'safe' | 'strict';
export type Runtime = 'runc' | 'crun' | 'none';

/** Everything that shapes a generated policy besides its inputs. */
export interface GenerateOptions {
  /** What every syscall outside the allowlist gets. */
  readonly defaultAction: Action;
  /** syscall name → errno it returns instead of running (e.g. clone3 → ENOSYS). */
  readonly errnoOverrides: ReadonlyMap<string, number>;
  /** Add BASELINE_SYSCALLS (rt_sigreturn, restart_syscall, exit, exit_group, sched_yield). */
  readonly baseline: boolean;
  /** Which argument values to pin to those observed (see from-recordings.ts). */
  readonly args: ArgsMode;
  /** Add the syscalls this container runtime makes after installing the filter. */
  readonly runtime: Runtime;
  /** The runtime sets no_new_privileges (OCI process.noNewPrivileges): picks the runtime's set. */
  readonly noNewPrivileges: boolean;
  /** ABIs of the policy; default: those the recordings used (Docker/OCI: their own list). */
  readonly arches?: readonly Arch[];
  /** Capabilities the container holds, for Docker profiles' includes/excludes.caps. */
  readonly caps?: readonly string[];
  /** Kernel version (X.Y) for Docker profiles' minKernel; default: the running kernel. */
  readonly kernel?: string;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = Object.freeze<GenerateOptions>({
  defaultAction: { kind: 'kill-process' },
  errnoOverrides: new Map<string, number>(),
  baseline: true,
  args: 'safe',
  runtime: 'none',
  noNewPrivileges: true,
});

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Capability names of linux/capability.h, in bit order. */
export const ALL_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const ACTION_SPELLINGS = ['kill-process', 'kill-thread', 'trap', 'errno[:N]', 'log', 'trace'];

function expected(flag: string, choices: readonly string[], got: string): ProfilerError {
  return new ProfilerError(
    'USAGE',
    `Expected \`${flag}\` to be one of ${choices.join(', ')}, got \`${got}\``,
  );
}

/** An errno given as a name (`ENOSYS`) or a number (`38`), from os.constants.errno. */
export function parseErrno(text: string, flag = '--errno'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n > 0 && n <= 4095) return n;
    throw new ProfilerError('USAGE', `Expected \`${flag}\` errno to be 1..4095, got \`${text}\``);
  }
  const n = errnoNumber(t.toUpperCase());
  if (n !== undefined) return n;
  throw new ProfilerError(
    'USAGE',
    `Expected \`${flag}\` errno to be a name like EPERM or a number, got \`${text}\`${suggestion(t.toUpperCase(), errnoNames())}`,
  );
}

/** `kill-process|kill-thread|trap|errno[:N]|log|trace` → Action (errno defaults to EPERM). */
export function parseDefaultAction(text: string, flag = '--default-action'): Action {
  const t = text.trim().toLowerCase();
  switch (t) {
    case 'kill-process':
    case 'kill':
      return { kind: 'kill-process' };
    case 'kill-thread':
      return { kind: 'kill-thread' };
    case 'trap':
      return { kind: 'trap' };
    case 'log':
      return { kind: 'log' };
    case 'trace':
      return { kind: 'trace' };
    case 'errno':
      return { kind: 'errno', errno: errnoNumber('EPERM')! };
  }
  if (t.startsWith('errno:')) return { kind: 'errno', errno: parseErrno(text.trim().slice(6), flag) };
  throw expected(flag, ACTION_SPELLINGS, text);
}

/** The command-line spelling of an action (inverse of parseDefaultAction where it can be). */
export function formatAction(action: Action): string {
  switch (action.kind) {
    case 'errno':
      return `errno:${errnoText(action.errno)}`;
    case 'trap':
    case 'trace':
      return action.data ? `${action.kind}:${action.data}` : action.kind;
    default:
      return action.kind;
  }
}

/** One `--errno NAME=ERRNO` value, checked against every syscall table. */
export function parseErrnoOverride(text: string): [string, number] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ProfilerError('USAGE', `Expected \`--errno\` as SYSCALL=ERRNO, got \`${text}\``);
  const name = text.slice(0, eq).trim();
  if (!isKnownSyscall(name))
    throw new ProfilerError('USAGE', `\`--errno\`: unknown syscall \`${name}\`${suggestion(name)}`);
  return [name, parseErrno(text.slice(eq + 1))];
}

/** Several `--errno` values as a map (later ones win). */
export function parseErrnoOverrides(values: readonly string[]): ReadonlyMap<string, number> {
  return new Map(values.map(parseErrnoOverride));
}

export function parseArgsMode(text: string): ArgsMode {
  if (text === 'none' || text === 'safe' || text === 'strict') return text;
  throw expected('--args', ['none', 'safe', 'strict'], text);
}

export function parseRuntime(text: string): Runtime {
  if (text === 'runc' || text === 'crun' || text === 'none') return text;
  throw expected('--runtime', ['runc', 'crun', 'none'], text);
}

/** Comma-separated ABI names; `native`/`reachable` are not accepted here, be explicit. */
export function parseArches(text: string): Arch[] {
  const out: Arch[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isArch(part)) throw expected('--arches', ARCHES, part);
    if (!out.includes(part)) out.push(part);
  }
  if (!out.length) throw new ProfilerError('USAGE', 'Expected `--arches` to name at least one ABI');
  return out;
}

/** Comma-separated capabilities (`CAP_` optional, any case); `all`, or `none`/empty for no caps. */
export function parseCaps(text: string): string[] {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  if (t.toLowerCase() === 'all') return [...ALL_CAPS];
  const out: string[] = [];
  for (const part of t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const cap = normalizeCap(part);
    if (!ALL_CAPS.includes(cap))
      throw new ProfilerError(
        'USAGE',
        `\`--caps\`: unknown capability \`${part}\`${suggestion(cap, ALL_CAPS)}`,
      );
    if (!out.includes(cap)) out.push(cap);
  }
  return out;
}

/** `sys_admin` → `CAP_SYS_ADMIN`. */
export function normalizeCap(name: string): string {
  const up = name.trim().toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** `X.Y[.Z…]` → [X, Y]; throws on anything else. */
export function parseKernelVersion(text: string, flag = '--kernel'): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!m)
    throw new ProfilerError('USAGE', `Expected \`${flag}\` to look like X.Y (e.g. 6.1), got \`${text}\``);
  return [Number(m[1]), Number(m[2])];
}

/** The kernel version minKernel is compared with: `--kernel` or the running kernel. */
export function targetKernel(opts: GenerateOptions): [number, number] {
  return parseKernelVersion(opts.kernel ?? release(), opts.kernel ? '--kernel' : 'the running kernel');
}

/** Options as strings, for provenance metadata (only what differs from nothing). */
export function describeOptions(opts: GenerateOptions): Record<string, string> {
  const out: Record<string, string> = {
    defaultAction: formatAction(opts.defaultAction),
    baseline: String(opts.baseline),
    args: opts.args,
    runtime: opts.runtime,
  };
  if (opts.runtime !== 'none') out.noNewPrivileges = String(opts.noNewPrivileges);
  if (opts.errnoOverrides.size)
    out.errno = [...opts.errnoOverrides].map(([n, e]) => `${n}=${errnoText(e)}`).join(',');
  if (opts.arches) out.arches = opts.arches.join(',');
  if (opts.caps) out.caps = opts.caps.join(',');
  if (opts.kernel) out.kernel = opts.kernel;
  return out;
}
