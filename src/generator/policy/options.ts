// Options of policy generation and their defaults. The command line's spellings are parsed in cli/.
import type { Arch } from '../../arch/index.js';
import type { Action } from './types.js';

export type ArgsMode = 'none' | 'safe' | 'strict';
/** 'any': runc and crun; 'auto': 'any' for the container formats (docker, oci, k8s), else 'none'. */
export type Runtime = 'runc' | 'crun' | 'any' | 'auto' | 'none';

/** Which executables of a recording make the profile (glob `*` `?` `**`, or a path). */
export interface ExecutableSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

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
  /** The runtime sets no_new_privileges (OCI process.noNewPrivileges); undefined: either. */
  readonly noNewPrivileges?: boolean;
  /** Only these executables of the recordings (default: all; container recordings: see select.ts). */
  readonly executables?: ExecutableSelection;
  /** ABIs of the policy; default: those the recordings used (Docker/OCI: their own list). */
  readonly arches?: readonly Arch[];
  /** Capabilities the container holds, for Docker profiles' includes/excludes.caps. */
  readonly caps?: readonly string[];
  /** Kernel version (X.Y) for Docker profiles' minKernel; default: the running kernel. */
  readonly kernel?: string;
  /**
   * Accept an approximation when a raw BPF input is turned into rules that do not decide exactly
   * as it does (the output then says what was approximated). Default: such a conversion fails.
   */
  readonly lossy?: boolean;
  /**
   * Syscalls introduced after the oldest kernel a recording was made on return ENOSYS instead of a
   * blocking default action, and so do the numbers above the syscall table where the format can say
   * it: libc then falls back to the older calls the recording saw (see newer-syscalls.ts).
   */
  readonly enosysNewer: boolean;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = Object.freeze<GenerateOptions>({
  defaultAction: { kind: 'kill-process' },
  errnoOverrides: new Map<string, number>(),
  baseline: true,
  args: 'safe',
  runtime: 'auto',
  enosysNewer: true,
});
