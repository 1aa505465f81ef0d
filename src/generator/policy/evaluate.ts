// Direct evaluation of a Policy: the reference semantics the compiled BPF must match.
import { type Arch, archOf } from '../../arch/index.js';
import { type Action, type Condition, fallbackAction, type Policy } from './types.js';

const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffffffffn;

/** What seccomp sees for one syscall. `args` are raw 64-bit register values. */
export interface SyscallInput {
  readonly auditArch: number;
  readonly nr: number;
  readonly args: readonly bigint[];
  readonly instructionPointer?: bigint;
}

function argValue(args: readonly bigint[], i: number, arch: Arch): bigint {
  const v = (args[i] ?? 0n) & MASK64;
  return arch === 'i386' ? v & MASK32 : v;
}

/** True when `cond` holds for `args` (unsigned 64-bit; 32-bit on i386). */
export function conditionHolds(cond: Condition, args: readonly bigint[], arch: Arch): boolean {
  const width = arch === 'i386' ? MASK32 : MASK64;
  const a = argValue(args, cond.arg, arch);
  const v = cond.value & width;
  switch (cond.op) {
    case 'EQ':
      return a === v;
    case 'NE':
      return a !== v;
    case 'LT':
      return a < v;
    case 'LE':
      return a <= v;
    case 'GT':
      return a > v;
    case 'GE':
      return a >= v;
    case 'MASKED_EQ':
      return (a & v) === ((cond.valueTwo ?? 0n) & width);
  }
}

/**
 * The action `policy` gives `input`: foreign or disallowed arches are killed (kill-process),
 * then the first rule for the syscall whose conditions all hold, else the action of the range the
 * number lies in (policy.ranges), else the default action.
 */
export function evaluatePolicy(policy: Policy, input: SyscallInput): Action {
  const arch = archOf(input.auditArch, input.nr);
  if (arch === undefined || !policy.arches.includes(arch)) return { kind: 'kill-process' };
  for (const rule of policy.rules[arch] ?? []) {
    if (rule.nr !== input.nr) continue;
    if (rule.conditions.every((c) => conditionHolds(c, input.args, arch))) return rule.action;
  }
  return fallbackAction(policy, arch, input.nr);
}
