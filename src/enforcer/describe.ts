// Human-readable names for actions, conditions and rules, shared by diff, lint and enforce reports.
import { errnoText } from '../arch/errno.js';
import type { Action, Condition, Rule } from '../generator/policy/types.js';

/** `allow`, `errno(EPERM)`, `kill-process`, `trap(5)`, … */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'errno':
      return `errno(${errnoText(action.errno)})`;
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
