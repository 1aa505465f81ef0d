// Hand-built Policies for the IR-level tests of diff and lint.
import { type Arch, syscallNumber } from '../../src/arch/index.js';
import type { Action, Condition, Policy, Rule } from '../../src/generator/policy/types.js';

export const ALLOW: Action = { kind: 'allow' };
export const KILL: Action = { kind: 'kill-process' };

/** A rule for `name` on `arch` (the number is looked up). */
export function rule(arch: Arch, name: string, action: Action = ALLOW, conditions: Condition[] = []): Rule {
  const nr = syscallNumber(arch, name);
  if (nr === undefined) throw new Error(`no ${name} on ${arch}`);
  return { syscall: name, nr, action, conditions };
}

/** An x86_64 policy allowing `names` unconditionally, plus `extra` rules. */
export function policy(names: string[], extra: Rule[] = [], over: Partial<Policy> = {}): Policy {
  return {
    defaultAction: KILL,
    arches: ['x86_64'],
    rules: { x86_64: [...names.map((n) => rule('x86_64', n)), ...extra] },
    ...over,
  };
}
