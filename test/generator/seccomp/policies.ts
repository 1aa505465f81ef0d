// Shared test material: random Policies and inputs (fast-check) and moby-default as a Policy.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  type Arch,
  AUDIT_ARCH,
  syscallName,
  syscallTable,
  X32_SYSCALL_BIT,
} from '../../../src/arch/index.js';
import { parseDockerProfile } from '../../../src/generator/input/docker.js';
import type { SyscallInput } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type {
  Action,
  Condition,
  NumberRange,
  Op,
  Policy,
  Rule,
} from '../../../src/generator/policy/types.js';
import { MOBY_DEFAULT, PODMAN_DEFAULT } from '../../support/fixtures.js';

/** Docker's default profile through C's parser, for the default options (x86_64, i386, x32). */
export function mobyPolicy(): Policy {
  return parseDockerProfile(
    readFileSync(MOBY_DEFAULT, 'utf8'),
    'moby-default.json',
    DEFAULT_GENERATE_OPTIONS,
  );
}

/** podman's default profile (containers/common) the same way: x86_64, i386, x32, default ENOSYS. */
export function podmanPolicy(): Policy {
  return parseDockerProfile(
    readFileSync(PODMAN_DEFAULT, 'utf8'),
    'podman-default.json',
    DEFAULT_GENERATE_OPTIONS,
  );
}

export const ACTIONS: readonly Action[] = [
  { kind: 'allow' },
  { kind: 'kill-process' },
  { kind: 'kill-thread' },
  { kind: 'errno', errno: 1 },
  { kind: 'errno', errno: 38 },
  { kind: 'trap' },
  { kind: 'log' },
  { kind: 'trace', data: 7 },
];

/** Values around the 32-bit word boundaries, where split 64-bit compares go wrong. */
export const INTERESTING: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fffffffn,
  0x80000000n,
  0xfffffffen,
  0xffffffffn,
  0x100000000n,
  0x100000001n,
  0x1ffffffffn,
  0xffffffff00000000n,
  0xffffffff00000001n,
  0xfffffffffffffffen,
  0xffffffffffffffffn,
  0x8000000000000000n,
];

const U64 = (1n << 64n) - 1n;
const value = fc.oneof(
  fc.constantFrom(...INTERESTING),
  fc.bigInt({ min: 0n, max: U64 }),
  fc.bigInt({ min: 0n, max: 0xffffn }),
);
const OPS: readonly Op[] = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'];

export function conditionArb(opts: { distinctArgs?: boolean } = {}): fc.Arbitrary<Condition> {
  void opts;
  return fc
    .record({
      arg: fc.integer({ min: 0, max: 5 }),
      op: fc.constantFrom(...OPS),
      value,
      valueTwo: value,
      masked: fc.boolean(),
    })
    .map(({ arg, op, value, valueTwo, masked }) => {
      const c: Condition = { arg: arg as Condition['arg'], op, value };
      if (op !== 'MASKED_EQ') return c;
      // Half the time a satisfiable masked compare (valueTwo within the mask).
      return { ...c, valueTwo: masked ? valueTwo & value : valueTwo };
    });
}

/**
 * A few syscall numbers per arch, dense at the start and with gaps, so ranges form and split, and
 * two numbers without a name above the table (recorded by number).
 */
export function poolOf(arch: Arch): number[] {
  const table = [...new Set(Object.values(syscallTable(arch)))].sort((a, b) => a - b);
  const base = arch === 'x32' ? X32_SYSCALL_BIT : 0;
  return [...table.slice(0, 24), ...table.slice(100, 104), ...table.slice(-3), base + 480, base + 500];
}

/** Named pool numbers only (for tests whose other side needs names, such as libseccomp). */
export function namedPoolOf(arch: Arch): number[] {
  return poolOf(arch).filter((nr) => syscallName(arch, nr) !== undefined);
}

/** Sometimes a range of numbers (0..0x7fffffff, x32's with its bit) with its own action. */
function rangesArb(arch: Arch): fc.Arbitrary<NumberRange[]> {
  const base = arch === 'x32' ? X32_SYSCALL_BIT : 0;
  const top = arch === 'x32' ? 0x7fffffff : arch === 'x86_64' ? X32_SYSCALL_BIT - 1 : 0x7fffffff;
  return fc.oneof(
    fc.constant([] as NumberRange[]),
    fc
      .record({
        lo: fc.integer({ min: 400, max: 520 }),
        len: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(top)),
        action: fc.constantFrom(...ACTIONS),
      })
      .map(({ lo, len, action }) => [{ lo: base + lo, hi: Math.min(top, base + lo + len), action }]),
  );
}

function ruleArb(arch: Arch): fc.Arbitrary<Rule> {
  return fc
    .record({
      nr: fc.constantFrom(...poolOf(arch)),
      action: fc.constantFrom(...ACTIONS),
      conditions: fc.oneof(fc.constant([]), fc.array(conditionArb(), { minLength: 1, maxLength: 3 })),
    })
    .map(({ nr, action, conditions }) => ({
      syscall: syscallName(arch, nr) ?? `syscall_${nr}`,
      nr,
      action,
      conditions,
    }));
}

/** Random policies over x86_64, i386, x32 (and sometimes aarch64) with first-match rule lists. */
export const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    arches: fc.subarray(['x86_64', 'i386', 'x32', 'aarch64'] as Arch[]),
    defaultAction: fc.constantFrom(...ACTIONS),
    x86_64: fc.array(ruleArb('x86_64'), { maxLength: 12 }),
    i386: fc.array(ruleArb('i386'), { maxLength: 12 }),
    x32: fc.array(ruleArb('x32'), { maxLength: 8 }),
    aarch64: fc.array(ruleArb('aarch64'), { maxLength: 4 }),
    ranges: fc.record({ x86_64: rangesArb('x86_64'), i386: rangesArb('i386'), x32: rangesArb('x32') }),
  })
  .map(({ arches, defaultAction, ranges, ...rules }) => ({ arches, defaultAction, rules, ranges }));

/** Inputs that hit the policy's rules and their boundaries, plus foreign arches and odd numbers. */
export function inputArb(policy: Policy): fc.Arbitrary<SyscallInput> {
  const condValues = Object.values(policy.rules).flatMap((rules) =>
    (rules ?? []).flatMap((r) => r.conditions.flatMap((c) => [c.value, c.valueTwo ?? 0n])),
  );
  const around = condValues.flatMap((v) => [v, (v + 1n) & U64, (v - 1n) & U64, v & 0xffffffffn, v >> 32n]);
  const argArb = fc.oneof(
    fc.constantFrom(...INTERESTING, ...around),
    fc.bigInt({ min: 0n, max: U64 }),
    // Junk in the high word over a meaningful low word.
    fc
      .tuple(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.constantFrom(...INTERESTING, ...around))
      .map(([hi, lo]) => (hi << 32n) | (lo & 0xffffffffn)),
  );
  const archNr = fc.oneof(
    fc.constantFrom(...(['x86_64', 'i386', 'x32', 'aarch64'] as Arch[])).chain((arch) =>
      fc
        .oneof(
          fc.constantFrom(...poolOf(arch)),
          fc.constantFrom(-1, 0x7fffffff, 0x3fffffff, -0x80000000, 0x40000000 - 1, 999, 472, 520, 540),
          fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        )
        .map((nr) => ({
          auditArch: AUDIT_ARCH[arch] as number,
          nr: arch === 'x32' ? nr | X32_SYSCALL_BIT : nr,
        })),
    ),
    fc.record({
      auditArch: fc.constantFrom(0, 0x40000028, 0xc000003f, 0xffffffff),
      nr: fc.integer({ min: -1, max: 500 }),
    }),
  );
  return fc
    .record({ an: archNr, args: fc.array(argArb, { minLength: 6, maxLength: 6 }) })
    .map(({ an, args }) => ({ auditArch: an.auditArch, nr: an.nr | 0, args }));
}

/** Policies of long `arg == v` rule runs (equality sets), mixed with other rules, on x86_64 and i386. */
export const equalitySetPolicyArb: fc.Arbitrary<Policy> = fc
  .record({
    values: fc.array(
      fc.constantFrom(0n, 8n, 0x20000n, 0xffffffffn, 0x1_0000_0008n, 0xffff_ffff_0000_0000n, 5n),
      {
        minLength: 1,
        maxLength: 8,
      },
    ),
    args: fc.array(fc.constantFrom(0, 1), { minLength: 8, maxLength: 8 }),
    actions: fc.array(fc.constantFrom<Action>({ kind: 'allow' }, { kind: 'errno', errno: 1 }), {
      minLength: 8,
      maxLength: 8,
    }),
    tail: fc.oneof(fc.constant([] as Condition[]), fc.array(conditionArb(), { maxLength: 2 })),
  })
  .map(({ values, args, actions, tail }) => {
    const rules = (arch: Arch): Rule[] => {
      const nr = syscallTable(arch).ioctl!;
      const list: Rule[] = values.map((value, i) => ({
        syscall: 'ioctl',
        nr,
        action: actions[i]!,
        conditions: [{ arg: args[i] as Condition['arg'], op: 'EQ', value }],
      }));
      list.push({ syscall: 'ioctl', nr, action: { kind: 'trap' }, conditions: tail });
      return list;
    };
    return {
      defaultAction: { kind: 'kill-process' },
      arches: ['x86_64', 'i386'],
      rules: { x86_64: rules('x86_64'), i386: rules('i386') },
    };
  });
