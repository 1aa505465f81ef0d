// The Policy IR: the one shape between every input (recordings, Docker/OCI JSON, raw BPF)
// and every output (BPF, docker, oci, k8s, libseccomp C, systemd, …).
import type { Arch } from '../../arch/index.js';

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

export type ActionKind = Action['kind'];

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

/** Where a policy came from and with which options: emitted as metadata where formats allow. */
export interface Provenance {
  readonly sources: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly cwd?: string;
  readonly tool: string;
}

/**
 * A complete seccomp policy. Rules are per arch; an arch in `arches` without rules
 * gets only the default action. Calls from any arch not in `arches` are killed.
 */
export interface Policy {
  readonly defaultAction: Action;
  readonly arches: readonly Arch[];
  readonly rules: Readonly<Partial<Record<Arch, readonly Rule[]>>>;
  readonly provenance?: Provenance;
}

/** Numeric SECCOMP_RET_* value of an action (data in the low 16 bits). */
export function actionValue(action: Action): number {
  switch (action.kind) {
    case 'kill-process':
      return 0x80000000;
    case 'kill-thread':
      return 0x00000000;
    case 'trap':
      return (0x00030000 | ((action.data ?? 0) & 0xffff)) >>> 0;
    case 'errno':
      return (0x00050000 | (action.errno & 0xffff)) >>> 0;
    case 'notify':
      return 0x7fc00000;
    case 'trace':
      return (0x7ff00000 | ((action.data ?? 0) & 0xffff)) >>> 0;
    case 'log':
      return 0x7ffc0000;
    case 'allow':
      return 0x7fff0000;
  }
}

/** Inverse of actionValue for the actions seccomp defines; undefined for others. */
export function actionFromValue(value: number): Action | undefined {
  const v = value >>> 0;
  const data = v & 0xffff;
  switch ((v & 0xffff0000) >>> 0) {
    case 0x80000000:
      return { kind: 'kill-process' };
    case 0x00000000:
      return { kind: 'kill-thread' };
    case 0x00030000:
      return data ? { kind: 'trap', data } : { kind: 'trap' };
    case 0x00050000:
      return { kind: 'errno', errno: data };
    case 0x7fc00000:
      return { kind: 'notify' };
    case 0x7ff00000:
      return data ? { kind: 'trace', data } : { kind: 'trace' };
    case 0x7ffc0000:
      return { kind: 'log' };
    case 0x7fff0000:
      return { kind: 'allow' };
    default:
      return undefined;
  }
}

/** Structural equality of actions. */
export function sameAction(a: Action, b: Action): boolean {
  return actionValue(a) === actionValue(b);
}
