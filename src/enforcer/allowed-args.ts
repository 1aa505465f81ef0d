// Does a filter let a syscall run, and with which arguments? Probes the filter (the Policy's
// reference semantics, or a raw program run as it is) with argument vectors built from the rules'
// own constants, so argument rules, rule order and the default action are all honoured.
import { type Arch, AUDIT_ARCH, syscallNumber, syscallTable } from '../arch/index.js';
import { conditionHolds, evaluatePolicy, type SyscallInput } from '../generator/policy/evaluate.js';
import { type Action, isPermissive, type Policy, type Rule } from '../generator/policy/types.js';

const MAX64 = (1n << 64n) - 1n;

/** A property the probed arguments must have (e.g. "a namespace flag is set in arg0"). */
export interface ArgConstraint {
  readonly arg: number;
  readonly holds: (value: bigint) => boolean;
  /** Bits ORed into probe values so that the constraint can hold. */
  readonly seeds: readonly bigint[];
}

function probeValues(
  rules: readonly Rule[],
  arg: number,
  constraint: ArgConstraint | undefined,
  extra: readonly bigint[],
): bigint[] {
  const base = new Set<bigint>([0n, MAX64]);
  for (const v of extra)
    for (const x of [v, (v - 1n) & MAX64, (v + 1n) & MAX64, ~v & MAX64]) base.add(x & MAX64);
  for (const rule of rules) {
    for (const c of rule.conditions) {
      if (c.arg !== arg) continue;
      const v = c.value & MAX64;
      const two = (c.valueTwo ?? 0n) & MAX64;
      for (const x of [v, two, v | two, two & v, (v - 1n) & MAX64, (v + 1n) & MAX64, ~v & MAX64]) base.add(x);
    }
  }
  if (!constraint || constraint.arg !== arg) return [...base];
  const out = new Set<bigint>();
  for (const seed of constraint.seeds) {
    out.add(seed);
    for (const b of base) out.add(b | seed);
  }
  return [...out].filter(constraint.holds);
}

/** What the filter does with one syscall: the Policy's reference semantics, or a raw program run. */
export type Evaluator = (input: SyscallInput) => Action;

/**
 * Arguments for which the filter lets `name` run on `arch` (with `constraint` holding), or undefined.
 * Probes: each rule's satisfying vector, and each probe value on its own.
 */
export function findAllowedArgs(
  policy: Policy,
  arch: Arch,
  name: string,
  constraint?: ArgConstraint,
  options: LintOptions = {},
): bigint[] | undefined {
  if (!policy.arches.includes(arch)) return undefined;
  const nr = syscallNumber(arch, name);
  if (nr === undefined) return undefined;
  const evaluate = options.evaluate ?? ((input: SyscallInput) => evaluatePolicy(policy, input));
  const rules = (policy.rules[arch] ?? []).filter((r) => r.nr === nr);
  const probes = [0, 1, 2, 3, 4, 5].map((i) => probeValues(rules, i, constraint, options.constants ?? []));
  const first = probes.map((p) => p[0] ?? 0n);
  const vectors: bigint[][] = [first];
  for (const rule of rules) {
    const v = probes.map((values, i) => {
      const conds = rule.conditions.filter((c) => c.arg === i);
      return values.find((x) => conds.every((c) => conditionHolds(c, argsWith(i, x), arch)));
    });
    if (v.every((x) => x !== undefined)) vectors.push(v as bigint[]);
  }
  probes.forEach((values, i) => {
    for (const x of values) vectors.push(first.map((y, j) => (j === i ? x : y)));
  });
  const input = { auditArch: AUDIT_ARCH[arch], nr };
  for (const args of vectors) {
    if (constraint && !constraint.holds(args[constraint.arg] ?? 0n)) continue;
    if (isPermissive(evaluate({ ...input, args }))) return args;
  }
  return undefined;
}

function argsWith(i: number, value: bigint): bigint[] {
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  args[i] = value;
  return args;
}

export interface LintOptions {
  /** For raw BPF inputs: whether the program checks seccomp_data.arch (from summarizeProgram). */
  readonly checksArch?: boolean;
  /**
   * For raw BPF inputs: run the program itself (the lifted Policy loses argument rules), with
   * the program's constants as extra probe values.
   */
  readonly evaluate?: Evaluator;
  readonly constants?: readonly bigint[];
}

/** True when some syscall of `arch` (zero arguments) is allowed: the ABI is open at all. */
export function archOpen(policy: Policy, arch: Arch, evaluate: Evaluator): boolean {
  if (!policy.arches.includes(arch)) return false;
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  return Object.values(syscallTable(arch)).some((nr) =>
    isPermissive(evaluate({ auditArch: AUDIT_ARCH[arch], nr, args })),
  );
}
