// Differential test: libseccomp (loaded with koffi) builds the same Policy; both filters run in our
// interpreter over every syscall number of x86_64, i386 and x32 with sampled arguments.
//
// Where libseccomp's model differs from ours we restrict or state the difference instead of hiding it:
// - x32: libseccomp treats x32 as a 32-bit ABI and compares only the low word of arguments, while
//   seccomp_data carries 64-bit x32 arguments and our IR (evaluatePolicy) compares all 64 bits. So x32
//   arguments are sampled with zero high words, and one test pins the difference down.
// - One action per syscall: libseccomp refuses rules whose action is the default and does not apply
//   first-match between rules with different actions, so random policies give each syscall rules of a
//   single non-default action (ORed rules of one action mean the same in both models).
// - i386 socket and ipc calls: libseccomp also adds socketcall()/ipc() rules for the direct calls
//   (multiplexing), so random i386 rules avoid both families and the multiplexers.
// - Conditions within one rule use distinct arguments (libseccomp refuses repeats), and i386/x32
//   values fit 32 bits (libseccomp's 32-bit ABIs).
// - nr -1 under AUDIT_ARCH_X86_64 belongs to x86_64 in our IR (evaluatePolicy): a policy with x32 but
//   not x86_64 kills it, while libseccomp's x32 filter gives it the default action. Compared only
//   when x86_64 is in the policy.
// - MASKED_EQ with valueTwo bits outside the mask never holds for us ((arg & m) == v2), while
//   libseccomp compares (arg & m) == (v2 & m). Random policies keep valueTwo within the mask; a
//   test pins the difference down.
// - Several rules on one syscall: libseccomp merges them into one decision tree and gets unions of
//   range compares (LT/LE/GT/GE) and of NE wrong (libseccomp#118, moby/moby#32714; a test below pins
//   one case: arg0 >= 2^32 || arg0 < 5 lets 7 through). Random syscalls with several rules use
//   EQ and MASKED_EQ only; a single rule may use every operator.
// - Names this libseccomp does not resolve (syscalls newer than its table: Debian 12's 2.5.4 knows Linux
//   6.7, not mseal, statmount or lsm_*) are skipped by it as by any runtime that links it. The test
//   asks the library which names those are, checks its release lacks them too, expects exactly those
//   skips, and pins their numbers: the profile's action in ours, the default in libseccomp's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Arch, AUDIT_ARCH, syscallName, syscallNumber } from '../../../src/arch/index.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import {
  type Action,
  actionValue,
  type Condition,
  type Policy,
  type Rule,
} from '../../../src/generator/policy/types.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { needs } from '../../support/host.js';
import { compileWithLibseccomp, skippedNumbers, unknownToLibseccomp } from '../../support/libseccomp.js';
import { ARCHES, compare, U32 } from './differential.js';
import { ACTIONS, conditionArb, INTERESTING, mobyPolicy, namedPoolOf } from './policies.js';

describe('differential against libseccomp', needs('libseccomp'), () => {
  const moby = mobyPolicy();

  it.each([
    1, 2,
  ] as const)('moby-default: same action wherever libseccomp knows the name (optimize=%i)', (optimize) => {
    const theirs = compileWithLibseccomp(moby, { optimize });
    const unknown = ARCHES.flatMap((arch) =>
      unknownToLibseccomp(
        arch,
        (moby.rules[arch] ?? []).map((r) => r.syscall),
      ).map((name) => `${arch}:${name}: unknown to libseccomp`),
    );
    expect([...theirs.skipped].sort()).toEqual(unknown.sort());
    const skip = skippedNumbers(theirs.skipped);
    const ours = compilePolicy(moby);
    expect(compare(ours, theirs.program, moby, skip)).toEqual([]);
    for (const key of skip) {
      const [arch, nr] = [key.split(':')[0] as Arch, Number(key.split(':')[1])];
      const data = seccompData({ auditArch: AUDIT_ARCH[arch], nr, args: [] });
      const want = actionValue(evaluatePolicy(moby, { auditArch: AUDIT_ARCH[arch], nr, args: [] }));
      expect(want, key).not.toBe(actionValue(moby.defaultAction));
      expect(runFilter(ours, data), key).toBe(want);
      expect(runFilter(theirs.program, data), key).toBe(actionValue(moby.defaultAction));
    }
  });

  it('moby-default: ours is shorter than libseccomp’s output', () => {
    const ours = compilePolicy(moby);
    expect(ours.length).toBeLessThan(compileWithLibseccomp(moby, { optimize: 1 }).program.length);
    expect(ours.length).toBeLessThan(compileWithLibseccomp(moby, { optimize: 2 }).program.length);
  });

  it('x32: libseccomp compares only the low word of arguments, we compare all 64 bits', () => {
    const nr = syscallNumber('x32', 'personality')!;
    const policy: Policy = {
      defaultAction: { kind: 'errno', errno: 1 },
      arches: ['x32'],
      rules: {
        x32: [
          {
            syscall: 'personality',
            nr,
            action: { kind: 'allow' },
            conditions: [{ arg: 0, op: 'EQ', value: 8n }],
          },
        ],
      },
    };
    const data = seccompData({ auditArch: AUDIT_ARCH.x32, nr, args: [(1n << 32n) | 8n] });
    expect(runFilter(compilePolicy(policy), data)).toBe(0x50001);
    expect(runFilter(compileWithLibseccomp(policy).program, data)).toBe(0x7fff0000);
  });

  it('nr -1 with x32 but not x86_64: we kill (it is x86_64’s), libseccomp takes the default', () => {
    const policy: Policy = { defaultAction: { kind: 'allow' }, arches: ['x32'], rules: {} };
    const data = seccompData({ auditArch: AUDIT_ARCH.x86_64, nr: -1, args: [] });
    expect(runFilter(compilePolicy(policy), data)).toBe(0x80000000);
    expect(runFilter(compileWithLibseccomp(policy).program, data)).toBe(0x7fff0000);
  });

  it('MASKED_EQ with valueTwo outside the mask: never holds for us, libseccomp masks valueTwo too', () => {
    const nr = syscallNumber('x86_64', 'read')!;
    const policy: Policy = {
      defaultAction: { kind: 'allow' },
      arches: ['x86_64'],
      rules: {
        x86_64: [
          {
            syscall: 'read',
            nr,
            action: { kind: 'errno', errno: 1 },
            conditions: [{ arg: 0, op: 'MASKED_EQ', value: 0xf0n, valueTwo: 0x1n }],
          },
        ],
      },
    };
    const data = seccompData({ auditArch: AUDIT_ARCH.x86_64, nr, args: [0n] });
    expect(runFilter(compilePolicy(policy), data)).toBe(0x7fff0000);
    expect(runFilter(compileWithLibseccomp(policy).program, data)).toBe(0x50001);
  });

  it('libseccomp defect: a union of 64-bit range rules lets values between them through; ours does not', () => {
    const nr = syscallNumber('x86_64', 'read')!;
    const allow = (c: Condition): Rule => ({
      syscall: 'read',
      nr,
      action: { kind: 'allow' },
      conditions: [c],
    });
    const policy: Policy = {
      defaultAction: { kind: 'errno', errno: 1 },
      arches: ['x86_64'],
      rules: {
        x86_64: [allow({ arg: 0, op: 'GE', value: 1n << 32n }), allow({ arg: 0, op: 'LT', value: 5n })],
      },
    };
    const data = seccompData({ auditArch: AUDIT_ARCH.x86_64, nr, args: [7n] });
    expect(runFilter(compilePolicy(policy), data)).toBe(0x50001);
    expect(runFilter(compileWithLibseccomp(policy).program, data)).toBe(0x7fff0000);
  });

  it('random policies both can express: same action everywhere', () => {
    fc.assert(
      fc.property(representablePolicy, fc.constantFrom(1 as const, 2 as const), (policy, optimize) => {
        const theirs = compileWithLibseccomp(policy, { optimize });
        const ours = compilePolicy(policy);
        expect(compare(ours, theirs.program, policy, skippedNumbers(theirs.skipped))).toEqual([]);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25) },
    );
  });
});

// i386 socket family (direct calls 359-373 and socketcall) and ipc family (ipc and direct SysV calls).
const I386_MULTIPLEXED = new Set([
  102,
  117,
  ...Array.from({ length: 15 }, (_, i) => 359 + i),
  ...Array.from({ length: 7 }, (_, i) => 393 + i),
]);

function syscallRulesArb(arch: Arch, def: Action): fc.Arbitrary<Rule[]> {
  const narrow = arch !== 'x86_64';
  const cond = conditionArb().map((c) => {
    const value = narrow ? c.value & U32 : c.value;
    return c.valueTwo === undefined ? { ...c, value } : { ...c, value, valueTwo: c.valueTwo & value };
  });
  const distinct = fc.uniqueArray(cond, { minLength: 1, maxLength: 3, selector: (c) => c.arg });
  const pool = namedPoolOf(arch).filter((nr) => !(arch === 'i386' && I386_MULTIPLEXED.has(nr)));
  const others = ACTIONS.filter((a) => JSON.stringify(a) !== JSON.stringify(def));
  return fc
    .uniqueArray(
      fc.record({
        nr: fc.constantFrom(...pool),
        action: fc.constantFrom(...others),
        conditions: fc.oneof(
          fc.constant([] as Condition[][]),
          fc.array(distinct, { minLength: 1, maxLength: 3 }),
        ),
      }),
      { selector: (r) => r.nr, maxLength: 10 },
    )
    .map((list) =>
      list.flatMap(({ nr, action, conditions: all }) => {
        const rules = all as Condition[][];
        const conditions =
          rules.length > 1 ? rules.map((c) => c.filter((x) => x.op === 'EQ' || x.op === 'MASKED_EQ')) : rules;
        const syscall = syscallName(arch, nr)!;
        return conditions.length === 0
          ? [{ syscall, nr, action, conditions: [] }]
          : conditions.map((c: Condition[]) => ({ syscall, nr, action, conditions: c }));
      }),
    );
}

const representablePolicy: fc.Arbitrary<Policy> = fc
  .record({
    arches: fc.subarray([...ARCHES] as Arch[], { minLength: 1 }),
    defaultAction: fc.constantFrom(...ACTIONS),
  })
  .chain(({ arches, defaultAction }) =>
    fc
      .record({
        x86_64: syscallRulesArb('x86_64', defaultAction),
        i386: syscallRulesArb('i386', defaultAction),
        x32: syscallRulesArb('x32', defaultAction),
      })
      .map((rules) => ({ arches, defaultAction, rules })),
  );

void INTERESTING;
