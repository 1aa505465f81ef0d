// The Policy IR: the one shape between every input (recordings, Docker/OCI JSON, raw BPF)
// and every output (BPF, docker, oci, k8s, libseccomp C, systemd, …).
import type { Arch } from '../../arch/index.js';
import { type ActionKind, decodeReturn, returnValue } from '../../arch/seccomp.js';

export type { ActionKind } from '../../arch/seccomp.js';

/** A seccomp action. `data` fields are the low 16 bits of SECCOMP_RET_*. */
export type Action =
  | { readonly kind: 'kill-process' }
  | { readonly kind: 'kill-thread' }
  | { readonly kind: 'trap'; readonly data?: number }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'notify' }
  | { readonly kind: 'trace'; readonly data?: number }
  | { readonly kind: 'log' }
  | { readonly kind: 'allow' };

/** Comparison operators on a 64-bit syscall argument (unsigned). */
export type Op = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE' | 'MASKED_EQ';

/**
 * One argument test. All comparisons are unsigned 64-bit.
 * MASKED_EQ means `(args[arg] & value) === valueTwo` (Docker/OCI semantics).
 * On 32-bit ABIs (i386) only the low 32 bits of the argument exist: values are compared as 32-bit.
 */
export interface Condition {
  readonly arg: 0 | 1 | 2 | 3 | 4 | 5;
  readonly op: Op;
  readonly value: bigint;
  /** Only for MASKED_EQ. */
  readonly valueTwo?: bigint;
}

/**
 * One rule. `conditions` are ANDed; an empty list matches every call of the syscall.
 * For a given syscall, rules are tried in order and the first whose conditions all hold decides;
 * when none holds, the policy's default action applies.
 */
export interface Rule {
  readonly syscall: string;
  readonly nr: number;
  readonly action: Action;
  readonly conditions: readonly Condition[];
}

/**
 * Numbers lo..hi of one ABI (numbered as rules are: x32's with X32_SYSCALL_BIT) where a call that no
 * rule decides gets `action` instead of the default action. What it is for: the numbers above the
 * syscall table, i.e. syscalls newer than it, answered with ENOSYS so that libc falls back.
 */
export interface NumberRange {
  readonly lo: number;
  readonly hi: number;
  readonly action: Action;
}

/** Where a policy came from and with which options: emitted as metadata where formats allow. */
export interface Provenance {
  readonly sources: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly cwd?: string;
  readonly tool: string;
  /** What the inputs said that the policy does not keep, or what generation decided: one line each. */
  readonly notes?: readonly string[];
}

/**
 * A complete seccomp policy. Rules are per arch; an arch in `arches` without rules
 * gets only the default action. Calls from any arch not in `arches` are killed.
 */
export interface Policy {
  readonly defaultAction: Action;
  readonly arches: readonly Arch[];
  readonly rules: Readonly<Partial<Record<Arch, readonly Rule[]>>>;
  /** Per arch, disjoint ranges whose numbers get another action than the default when no rule decides. */
  readonly ranges?: Readonly<Partial<Record<Arch, readonly NumberRange[]>>>;
  readonly provenance?: Provenance;
}

/** The action `policy` gives a call of `nr` on `arch` that no rule decides: a range's, or the default. */
export function fallbackAction(policy: Policy, arch: Arch, nr: number): Action {
  for (const r of policy.ranges?.[arch] ?? []) if (nr >= r.lo && nr <= r.hi) return r.action;
  return policy.defaultAction;
}

/** Numeric SECCOMP_RET_* value of an action (data in the low 16 bits). */
export function actionValue(action: Action): number {
  switch (action.kind) {
    case 'errno':
      return returnValue('errno', action.errno);
    case 'trap':
    case 'trace':
      return returnValue(action.kind, action.data ?? 0);
    default:
      return returnValue(action.kind);
  }
}

/** The Action of a return value and its data; undefined for values seccomp does not define. */
export function actionFromValue(value: number): Action | undefined {
  const decoded = decodeReturn(value);
  if (!decoded) return undefined;
  const { fact, data } = decoded;
  return actionOf(fact.kind, data);
}

/** The Action of a kind and its 16 data bits (zero data on trap/trace is no data). */
export function actionOf(kind: ActionKind, data = 0): Action {
  switch (kind) {
    case 'errno':
      return { kind, errno: data };
    case 'trap':
    case 'trace':
      return data ? { kind, data } : { kind };
    default:
      return { kind };
  }
}

/** Structural equality of actions. */
export function sameAction(a: Action, b: Action): boolean {
  return actionValue(a) === actionValue(b);
}

/** True for actions that let the syscall run (`log` allows and logs). */
export function isPermissive(action: Action): boolean {
  return action.kind === 'allow' || action.kind === 'log';
}
