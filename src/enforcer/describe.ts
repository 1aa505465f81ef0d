// Human-readable names for actions, conditions and rules, shared by diff, lint and enforce reports.
import { constants } from 'node:os';
import type { Action, Condition, Rule } from '../generator/policy/types.js';

const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}

/** `EPERM` for 1, or the number when the platform has no name for it. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? String(errno);
}

/** `allow`, `errno(EPERM)`, `kill-process`, `trap(5)`, … */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'errno':
      return `errno(${errnoName(action.errno)})`;
    case 'trap':
    case 'trace':
      return action.data ? `${action.kind}(${action.data})` : action.kind;
    default:
      return action.kind;
  }
}

/** Hex for large values, decimal for small ones: `0x40000000`, `3`. */
export function formatValue(value: bigint): string {
  return value < 10n ? value.toString() : `0x${value.toString(16)}`;
}

const OP_TEXT = { EQ: '==', NE: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=' } as const;

/** `arg0 == 0x2`, `arg2 & 0x6 == 0x6`. */
export function describeCondition(cond: Condition): string {
  if (cond.op === 'MASKED_EQ') {
    return `arg${cond.arg} & ${formatValue(cond.value)} == ${formatValue(cond.valueTwo ?? 0n)}`;
  }
  return `arg${cond.arg} ${OP_TEXT[cond.op]} ${formatValue(cond.value)}`;
}

/** `allow`, or `allow if arg0 == 0x2 && arg1 == 0x1`: one rule without its syscall name. */
export function describeRule(rule: Pick<Rule, 'action' | 'conditions'>): string {
  const action = describeAction(rule.action);
  if (rule.conditions.length === 0) return action;
  return `${action} if ${rule.conditions.map(describeCondition).join(' && ')}`;
}

/** True for actions that let the syscall run (`log` allows and logs). */
export function isPermissive(action: Action): boolean {
  return action.kind === 'allow' || action.kind === 'log';
}
