import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Arch, AUDIT_ARCH, syscallNumber, syscallTable } from '../../../src/arch/index.js';
import { encodeProgram } from '../../../src/generator/bpf/encode.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import { JA, JMP } from '../../../src/generator/bpf/types.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import {
  type Action,
  actionValue,
  type Condition,
  type Policy,
  type Rule,
} from '../../../src/generator/policy/types.js';
import { constantResult } from '../../../src/generator/seccomp/analyze.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { seccompProblem } from '../../../src/generator/seccomp/validate.js';
import { equalitySetPolicyArb, inputArb, mobyPolicy, policyArb } from './policies.js';

const ALLOW: Action = { kind: 'allow' };
const KILL: Action = { kind: 'kill-process' };
const EPERM: Action = { kind: 'errno', errno: 1 };

function rule(arch: Arch, syscall: string, action: Action, ...conditions: Condition[]): Rule {
  const nr = syscallNumber(arch, syscall);
  if (nr === undefined) throw new Error(`${arch} has no ${syscall}`);
  return { syscall, nr, action, conditions };
}

interface Case {
  readonly arch: Arch | number; // an Arch, or a raw foreign AUDIT_ARCH token
  readonly nr: number | string;
  readonly args?: readonly bigint[];
  readonly want: Action;
}

interface Table {
  readonly name: string;
  readonly policy: Policy;
  readonly cases: readonly Case[];
}

function inputOf(c: Case) {
  const arch = typeof c.arch === 'number' ? undefined : c.arch;
  const nr = typeof c.nr === 'string' ? syscallNumber(arch ?? 'x86_64', c.nr)! : c.nr;
  return { auditArch: arch ? AUDIT_ARCH[arch] : (c.arch as number), nr, args: c.args ?? [] };
}

const arg0 = (op: Condition['op'], value: bigint, valueTwo?: bigint): Condition =>
  valueTwo === undefined ? { arg: 0, op, value } : { arg: 0, op, value, valueTwo };

const HI = 0x1_0000_0000n;

const TABLES: Table[] = [
  {
    name: 'an empty allowlist kills everything',
    policy: { defaultAction: KILL, arches: ['x86_64'], rules: {} },
    cases: [
      { arch: 'x86_64', nr: 'read', want: KILL },
      { arch: 'x86_64', nr: -1, want: KILL },
    ],
  },
  {
    name: 'no arches: everything is a foreign arch',
    policy: { defaultAction: ALLOW, arches: [], rules: {} },
    cases: [
      { arch: 'x86_64', nr: 'read', want: KILL },
      { arch: 'i386', nr: 3, want: KILL },
    ],
  },
  {
    name: 'x86_64 allowlist: i386 and x32 cannot bypass it',
    policy: {
      defaultAction: EPERM,
      arches: ['x86_64'],
      rules: { x86_64: [rule('x86_64', 'read', ALLOW), rule('x86_64', 'write', ALLOW)] },
    },
    cases: [
      { arch: 'x86_64', nr: 'read', want: ALLOW },
      { arch: 'x86_64', nr: 'write', want: ALLOW },
      { arch: 'x86_64', nr: 'getpid', want: EPERM },
      { arch: 'x86_64', nr: 999, want: EPERM },
      { arch: 'x86_64', nr: 0x3fffffff, want: EPERM },
      // nr -1: a tracer skipped the call; it takes the default action, like any unnamed number.
      { arch: 'x86_64', nr: -1, want: EPERM },
      { arch: 'x86_64', nr: -2, want: EPERM },
      { arch: 'i386', nr: 'read', want: KILL },
      { arch: 'i386', nr: 'write', want: KILL },
      { arch: 'x32', nr: 'read', want: KILL },
      { arch: 'x32', nr: 0x7fffffff, want: KILL },
      { arch: 'aarch64', nr: 'read', want: KILL },
      { arch: 0x40000028, nr: 0, want: KILL },
      { arch: 0, nr: 0, want: KILL },
    ],
  },
  {
    name: 'x32 and i386 rules are their own',
    policy: {
      defaultAction: KILL,
      arches: ['x86_64', 'x32', 'i386'],
      rules: {
        x86_64: [rule('x86_64', 'read', ALLOW)],
        x32: [rule('x32', 'write', ALLOW)],
        i386: [rule('i386', 'getpid', EPERM)],
      },
    },
    cases: [
      { arch: 'x86_64', nr: 'read', want: ALLOW },
      { arch: 'x86_64', nr: 'write', want: KILL },
      { arch: 'x32', nr: 'write', want: ALLOW },
      { arch: 'x32', nr: 'read', want: KILL },
      { arch: 'i386', nr: 'getpid', want: EPERM },
      { arch: 'i386', nr: 'read', want: KILL },
      { arch: 'x86_64', nr: -1, want: KILL },
    ],
  },
  {
    name: 'x32 only: x86_64 numbers and -1 are killed',
    policy: { defaultAction: ALLOW, arches: ['x32'], rules: { x32: [rule('x32', 'read', EPERM)] } },
    cases: [
      { arch: 'x32', nr: 'read', want: EPERM },
      { arch: 'x32', nr: 'write', want: ALLOW },
      { arch: 'x86_64', nr: 'write', want: KILL },
      { arch: 'x86_64', nr: -1, want: KILL },
    ],
  },
  {
    name: 'first matching rule wins',
    policy: {
      defaultAction: KILL,
      arches: ['x86_64'],
      rules: {
        x86_64: [
          rule('x86_64', 'ioctl', EPERM, { arg: 1, op: 'EQ', value: 0x5401n }),
          rule('x86_64', 'ioctl', ALLOW, { arg: 1, op: 'LT', value: 0x6000n }),
          rule('x86_64', 'ioctl', { kind: 'errno', errno: 25 }),
          rule('x86_64', 'ioctl', ALLOW),
        ],
      },
    },
    cases: [
      { arch: 'x86_64', nr: 'ioctl', args: [3n, 0x5401n], want: EPERM },
      { arch: 'x86_64', nr: 'ioctl', args: [3n, 0x5402n], want: ALLOW },
      { arch: 'x86_64', nr: 'ioctl', args: [3n, 0x6000n], want: { kind: 'errno', errno: 25 } },
      { arch: 'x86_64', nr: 'ioctl', args: [3n, HI | 0x5401n], want: { kind: 'errno', errno: 25 } },
    ],
  },
  {
    name: '64-bit EQ and NE compare both words',
    policy: {
      defaultAction: EPERM,
      arches: ['x86_64', 'i386'],
      rules: {
        x86_64: [
          rule('x86_64', 'read', ALLOW, arg0('EQ', HI + 2n)),
          rule('x86_64', 'write', ALLOW, arg0('NE', HI + 2n)),
        ],
        i386: [rule('i386', 'read', ALLOW, arg0('EQ', HI + 2n))],
      },
    },
    cases: [
      { arch: 'x86_64', nr: 'read', args: [HI + 2n], want: ALLOW },
      { arch: 'x86_64', nr: 'read', args: [2n], want: EPERM },
      { arch: 'x86_64', nr: 'read', args: [HI + 3n], want: EPERM },
      { arch: 'x86_64', nr: 'write', args: [HI + 2n], want: EPERM },
      { arch: 'x86_64', nr: 'write', args: [2n], want: ALLOW },
      { arch: 'x86_64', nr: 'write', args: [HI + 1n], want: ALLOW },
      // On i386 only the low word exists: the value is truncated and junk high bits are ignored.
      { arch: 'i386', nr: 'read', args: [2n], want: ALLOW },
      { arch: 'i386', nr: 'read', args: [0xdead_0000_0002n], want: ALLOW },
      { arch: 'i386', nr: 'read', args: [3n], want: EPERM },
    ],
  },
  {
    name: 'unsigned 64-bit order across the word boundary',
    policy: {
      defaultAction: EPERM,
      arches: ['x86_64'],
      rules: {
        x86_64: [
          rule('x86_64', 'read', ALLOW, arg0('GT', HI + 5n)),
          rule('x86_64', 'write', ALLOW, arg0('GE', HI + 5n)),
          rule('x86_64', 'open', ALLOW, arg0('LT', HI + 5n)),
          rule('x86_64', 'close', ALLOW, arg0('LE', HI + 5n)),
        ],
      },
    },
    cases: [
      ...(
        [
          ['read', [false, false, false, true, true, true]],
          ['write', [false, false, true, true, true, true]],
          ['open', [true, true, false, false, false, false]],
          ['close', [true, true, true, false, false, false]],
        ] as const
      ).flatMap(([nr, wants]) =>
        // below by a word, below, equal, above in the low word, above by a word, far above
        [0xffff_ffffn, HI + 4n, HI + 5n, HI + 6n, 2n * HI, 0xffff_ffff_ffff_ffffn].map((v, i) => ({
          arch: 'x86_64' as const,
          nr,
          args: [v],
          want: wants[i] ? ALLOW : EPERM,
        })),
      ),
    ],
  },
  {
    name: 'MASKED_EQ means (arg & value) == valueTwo',
    policy: {
      defaultAction: EPERM,
      arches: ['x86_64'],
      rules: {
        x86_64: [
          rule('x86_64', 'clone', ALLOW, arg0('MASKED_EQ', 0x7e020000n, 0n)),
          rule('x86_64', 'mmap', ALLOW, { arg: 2, op: 'MASKED_EQ', value: HI | 4n, valueTwo: HI }),
          rule('x86_64', 'mprotect', ALLOW, { arg: 2, op: 'MASKED_EQ', value: 4n, valueTwo: 4n }),
          rule('x86_64', 'munmap', ALLOW, arg0('MASKED_EQ', 0xf0n, 0x1n)),
        ],
      },
    },
    cases: [
      { arch: 'x86_64', nr: 'clone', args: [0x11n], want: ALLOW },
      { arch: 'x86_64', nr: 'clone', args: [0x10000000n], want: EPERM },
      { arch: 'x86_64', nr: 'clone', args: [HI | 0x11n], want: ALLOW },
      { arch: 'x86_64', nr: 'mmap', args: [0n, 0n, HI | 3n], want: ALLOW },
      { arch: 'x86_64', nr: 'mmap', args: [0n, 0n, HI | 7n], want: EPERM },
      { arch: 'x86_64', nr: 'mmap', args: [0n, 0n, 3n], want: EPERM },
      { arch: 'x86_64', nr: 'mprotect', args: [0n, 0n, 5n], want: ALLOW },
      { arch: 'x86_64', nr: 'mprotect', args: [0n, 0n, 3n], want: EPERM },
      // valueTwo has a bit outside the mask: never holds.
      { arch: 'x86_64', nr: 'munmap', args: [1n], want: EPERM },
      { arch: 'x86_64', nr: 'munmap', args: [0xf1n], want: EPERM },
    ],
  },
  {
    name: 'several conditions are ANDed, over several args',
    policy: {
      defaultAction: KILL,
      arches: ['x86_64'],
      rules: {
        x86_64: [
          rule(
            'x86_64',
            'socket',
            ALLOW,
            { arg: 0, op: 'EQ', value: 2n },
            { arg: 1, op: 'MASKED_EQ', value: 0xffn, valueTwo: 1n },
            { arg: 2, op: 'LE', value: 6n },
          ),
        ],
      },
    },
    cases: [
      { arch: 'x86_64', nr: 'socket', args: [2n, 0x80001n, 6n], want: ALLOW },
      { arch: 'x86_64', nr: 'socket', args: [2n, 0x80001n, 7n], want: KILL },
      { arch: 'x86_64', nr: 'socket', args: [10n, 1n, 0n], want: KILL },
      { arch: 'x86_64', nr: 'socket', args: [2n, 2n, 0n], want: KILL },
    ],
  },
  {
    name: 'aarch64 dispatches on its own token',
    policy: {
      defaultAction: KILL,
      arches: ['aarch64'],
      rules: { aarch64: [rule('aarch64', 'read', ALLOW)] },
    },
    cases: [
      { arch: 'aarch64', nr: 'read', want: ALLOW },
      { arch: 'aarch64', nr: 'write', want: KILL },
      { arch: 'x86_64', nr: 'read', want: KILL },
    ],
  },
];

describe('compilePolicy (table)', () => {
  describe.each(TABLES)('$name', ({ policy, cases }) => {
    const program = compilePolicy(policy);
    it.each(
      cases.map((c) => ({ ...c, label: `${String(c.arch)} ${String(c.nr)} ${(c.args ?? []).join(',')}` })),
    )('$label', (c) => {
      const input = inputOf(c);
      expect(actionValue(evaluatePolicy(policy, input)), 'the table agrees with evaluatePolicy').toBe(
        actionValue(c.want),
      );
      expect(runFilter(program, seccompData(input)).toString(16)).toBe(actionValue(c.want).toString(16));
    });
  });
});

describe('compilePolicy (properties)', () => {
  it('gives evaluatePolicy’s action for random policies and inputs', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) =>
          fc.tuple(fc.constant(policy), fc.array(inputArb(policy), { minLength: 40, maxLength: 40 })),
        ),
        ([policy, inputs]) => {
          const program = compilePolicy(policy);
          expect(seccompProblem(program)).toBeUndefined();
          for (const input of inputs) {
            expect(runFilter(program, seccompData(input))).toBe(actionValue(evaluatePolicy(policy, input)));
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });

  it('gives evaluatePolicy’s action for runs of equality rules (grouped into sets)', () => {
    fc.assert(
      fc.property(
        equalitySetPolicyArb.chain((policy) =>
          fc.tuple(fc.constant(policy), fc.array(inputArb(policy), { minLength: 40, maxLength: 40 })),
        ),
        ([policy, inputs]) => {
          const program = compilePolicy(policy);
          for (const input of inputs) {
            expect(runFilter(program, seccompData(input))).toBe(actionValue(evaluatePolicy(policy, input)));
          }
          for (const arch of ['x86_64', 'i386'] as const) {
            const nr = syscallNumber(arch, 'ioctl')!;
            for (const rule of policy.rules[arch]!) {
              const value = rule.conditions[0]?.value ?? 0n;
              for (const args of [
                [value, value],
                [value, 0n],
                [0n, value],
                [value | (7n << 32n), value],
              ]) {
                const input = { auditArch: AUDIT_ARCH[arch], nr, args };
                expect(runFilter(program, seccompData(input))).toBe(
                  actionValue(evaluatePolicy(policy, input)),
                );
              }
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('is deterministic and independent of the order of arches', () => {
    fc.assert(
      fc.property(policyArb, (policy) => {
        const a = encodeProgram(compilePolicy(policy));
        const b = encodeProgram(compilePolicy({ ...policy, arches: [...policy.arches].reverse() }));
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('compilePolicy on moby-default', () => {
  const policy = mobyPolicy();
  const program = compilePolicy(policy);

  it('matches evaluatePolicy on every syscall number of every arch', () => {
    for (const arch of policy.arches) {
      for (const nr of [...Object.values(syscallTable(arch)), arch === 'x32' ? 0x40000000 + 999 : 999, -1]) {
        for (const args of [[], [40n], [0x20008n], [0xffff_ffff_0000_0000n | 8n], [0x7e020000n]]) {
          const input = { auditArch: AUDIT_ARCH[arch], nr, args };
          expect(runFilter(program, seccompData(input))).toBe(actionValue(evaluatePolicy(policy, input)));
        }
      }
    }
  });

  it('lets the kernel cache every unconditionally allowed syscall (no argument load on its path)', () => {
    let allowed = 0;
    for (const arch of policy.arches) {
      for (const nr of Object.values(syscallTable(arch))) {
        const rules = (policy.rules[arch] ?? []).filter((r) => r.nr === nr);
        const unconditional =
          rules.length === 0
            ? policy.defaultAction
            : rules[0]!.conditions.length === 0
              ? rules[0]!.action
              : undefined;
        if (unconditional?.kind !== 'allow') continue;
        allowed++;
        expect(constantResult(program, AUDIT_ARCH[arch], nr), `${arch} ${nr}`).toBe(actionValue(ALLOW));
      }
    }
    expect(allowed).toBeGreaterThan(700);
  });

  it('merges ranges: far fewer instructions than syscalls named', () => {
    const named = policy.arches.reduce((n, arch) => n + (policy.rules[arch]?.length ?? 0), 0);
    expect(named).toBeGreaterThan(900);
    expect(program.length).toBeLessThan(400);
    expect(program.filter((i) => i.code === (JMP | JA)).length).toBeLessThan(10);
  });
});

describe('compilePolicy limits', () => {
  it('merges a contiguous allowlist into one range', () => {
    const rules = Object.entries(syscallTable('x86_64'))
      .filter(([, nr]) => nr < 100)
      .map(([syscall, nr]) => ({ syscall, nr, action: ALLOW, conditions: [] }));
    const program = compilePolicy({ defaultAction: KILL, arches: ['x86_64'], rules: { x86_64: rules } });
    // ld arch, jeq, ld nr, one range test, two returns.
    expect(program.length).toBe(6);
  });

  it('throws TOO_LARGE with a clear message past 4096 instructions', () => {
    const conditions = (i: number): Condition[] => [{ arg: 0, op: 'EQ', value: BigInt(i) << 32n }];
    const rules = Array.from({ length: 1100 }, (_, i) => ({
      ...rule('x86_64', 'ioctl', ALLOW),
      conditions: conditions(i),
    }));
    const policy: Policy = { defaultAction: KILL, arches: ['x86_64'], rules: { x86_64: rules } };
    expect(() => compilePolicy(policy)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => compilePolicy(policy)).toThrow(/at most 4096/);
  });
});
