// Comparing what two filters do, whatever their form (a raw program run by the interpreter, a Policy
// by its reference semantics): every syscall number of every ABI, plus -1 and numbers past the
// tables, each with zero arguments and with each argument set to the constants either side tests
// (and their neighbours, and in the high word). This is how a raw .bpf is checked against its lift
// before a conversion, how `diff` compares files of which one is raw BPF, and how `inspect` compares
// an installed filter with a profile.
import { type Arch, AUDIT_ARCH, syscallName, syscallTable, X32_SYSCALL_BIT } from '../../arch/index.js';
import { runFilter } from '../bpf/interpreter.js';
import { jumpConstants, type ValidatedProgram } from '../bpf/types.js';
import { evaluatePolicy, type SyscallInput } from '../policy/evaluate.js';
import { actionValue, type Policy } from '../policy/types.js';
import { constantResult } from './cache.js';
import { seccompData } from './data.js';

/** Something that decides: the 32-bit SECCOMP_RET_* value a filter returns for one syscall. */
export interface Decider {
  decide(input: SyscallInput): number;
  /** False when the decision for (arch, nr) cannot depend on the arguments. */
  dependsOnArgs(arch: Arch, nr: number): boolean;
  /** Values the filter may compare the arguments of (arch, nr) with (probed, with neighbours). */
  constants(arch: Arch, nr: number): readonly bigint[];
}

/** A raw program, run by the BPF interpreter. */
export function programDecider(program: ValidatedProgram): Decider {
  const constants = jumpConstants(program).map((k) => BigInt(k));
  return {
    decide: (input) => runFilter(program, seccompData(input)) >>> 0,
    // The kernel's own test: a path that loads nothing but nr and arch is argument-free.
    dependsOnArgs: (arch, nr) => constantResult(program, AUDIT_ARCH[arch], nr) === undefined,
    constants: () => constants,
  };
}

/** A Policy, by its reference semantics. */
export function policyDecider(policy: Policy): Decider {
  const conditions = (arch: Arch, nr: number) =>
    (policy.arches.includes(arch) ? (policy.rules[arch] ?? []) : [])
      .filter((r) => r.nr === nr)
      .flatMap((r) => r.conditions);
  return {
    decide: (input) => actionValue(evaluatePolicy(policy, input)) >>> 0,
    dependsOnArgs: (arch, nr) => conditions(arch, nr).length > 0,
    constants: (arch, nr) => conditions(arch, nr).flatMap((c) => [c.value, c.valueTwo ?? 0n]),
  };
}

/** One input on which the two filters disagree. */
export interface BehaviourDifference {
  readonly arch: Arch;
  readonly nr: number;
  /** The syscall's name, or `syscall_<nr>`. */
  readonly syscall: string;
  /** Set when the difference depends on the arguments: the probe that showed it. */
  readonly args?: readonly bigint[];
  readonly left: number;
  readonly right: number;
}

const MASK64 = (1n << 64n) - 1n;
const ZERO = [0n, 0n, 0n, 0n, 0n, 0n] as const;

/** Argument values worth probing: the constants and their neighbours, in either 32-bit half. */
function probeValues(constants: Iterable<bigint>): bigint[] {
  const out = new Set<bigint>([MASK64, 0xffffffffn, 1n << 32n]);
  for (const c of constants) {
    for (const v of [c, c - 1n, c + 1n]) {
      const x = v & MASK64;
      out.add(x);
      if (x <= 0xffffffffn) out.add(x << 32n);
    }
  }
  out.delete(0n);
  return [...out];
}

/** The numbers probed on `arch`: every named one, -1, and a few past the end of the table. */
function numbersOf(arch: Arch): number[] {
  const named = [...new Set(Object.values(syscallTable(arch)))];
  const base = arch === 'x32' ? X32_SYSCALL_BIT : 0;
  const top = Math.max(...named.map((n) => n - base));
  const extra = [top + 1, top + 2, top + 64, 1023, 4095].map((n) => base + n);
  if (arch === 'x86_64') extra.push(-1, 0x7fffffff, X32_SYSCALL_BIT - 1);
  return [...new Set([...named, ...extra])].sort((a, b) => a - b);
}

/**
 * Every probe on which `left` and `right` disagree, on the given ABIs, at most `limit` of them
 * (the first per syscall: one argument vector is enough to show a syscall differs).
 */
export function behaviourDifferences(
  left: Decider,
  right: Decider,
  arches: readonly Arch[],
  limit = Number.POSITIVE_INFINITY,
): BehaviourDifference[] {
  const out: BehaviourDifference[] = [];
  for (const arch of arches) {
    const auditArch = AUDIT_ARCH[arch];
    for (const nr of numbersOf(arch)) {
      const differs = (args: readonly bigint[]): BehaviourDifference | undefined => {
        const input = { auditArch, nr, args };
        const l = left.decide(input);
        const r = right.decide(input);
        if (l === r) return undefined;
        const syscall = syscallName(arch, nr) ?? `syscall_${nr}`;
        return args === ZERO
          ? { arch, nr, syscall, left: l, right: r }
          : { arch, nr, syscall, args, left: l, right: r };
      };
      let found = differs(ZERO);
      const byArgs = !found && (left.dependsOnArgs(arch, nr) || right.dependsOnArgs(arch, nr));
      const values = byArgs
        ? probeValues(new Set([...left.constants(arch, nr), ...right.constants(arch, nr)]))
        : [];
      for (let i = 0; byArgs && !found && i < 6; i++) {
        for (const v of values) {
          const args: bigint[] = [...ZERO];
          args[i] = v;
          found = differs(args);
          if (found) break;
        }
      }
      if (found) out.push(found);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
