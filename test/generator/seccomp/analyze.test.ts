import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Arch, AUDIT_ARCH, syscallName, syscallNumber, syscallTable } from '../../../src/arch/index.js';
import { decodeProgram, encodeProgram } from '../../../src/generator/bpf/encode.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import type { ValidatedProgram } from '../../../src/generator/bpf/types.js';
import { ABS, JEQ, JMP, jump, K, LD, RET, stmt, W } from '../../../src/generator/bpf/types.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { actionValue, type Policy } from '../../../src/generator/policy/types.js';
import {
  constantResult,
  policyFromProgram,
  summarizeProgram,
} from '../../../src/generator/seccomp/analyze.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { disassembleSeccomp } from '../../../src/generator/seccomp/disasm.js';
import { needs } from '../../support/host.js';
import { compileWithLibseccomp, skippedNumbers } from '../../support/libseccomp.js';
import { INTERESTING, mobyPolicy, policyArb, poolOf } from './policies.js';

const ARCHES: Arch[] = ['x86_64', 'i386', 'x32'];
const SAMPLES: bigint[][] = [
  [],
  ...INTERESTING.map((v) => Array(6).fill(v)),
  [40n],
  [0x20008n],
  [0x7e020000n],
];

const moby = mobyPolicy();
const ours = compilePolicy(moby);

describe('summarizeProgram', () => {
  const summary = summarizeProgram(ours, ARCHES);

  it('finds moby’s default action and its arch check', () => {
    expect(summary.defaultAction).toEqual({ kind: 'errno', errno: 1 });
    expect(summary.checksArch).toBe(true);
  });

  it('gives every named syscall its action, or conditional exactly where arguments decide', () => {
    const conditional: string[] = [];
    for (const arch of ARCHES) {
      for (const nr of new Set(Object.values(syscallTable(arch)))) {
        const got = summary.arches[arch]!.get(nr);
        const actions = new Set(
          SAMPLES.map((args) => actionValue(evaluatePolicy(moby, { auditArch: AUDIT_ARCH[arch], nr, args }))),
        );
        if (got === 'conditional') {
          conditional.push(`${arch}:${nr}`);
          expect(actions.size, `${arch} ${nr}`).toBeGreaterThan(1);
        } else {
          expect([...actions], `${arch} ${nr}`).toEqual([actionValue(got!)]);
        }
      }
    }
    // clone, personality and socket on each arch (socketcall too on i386), no more.
    expect(conditional.length).toBeGreaterThanOrEqual(9);
    expect(conditional.length).toBeLessThan(15);
  });

  it('reads libseccomp’s output the same way', needs('libseccomp'), () => {
    const built = compileWithLibseccomp(moby);
    const theirs = summarizeProgram(built.program, ARCHES);
    expect(theirs.defaultAction).toEqual(summary.defaultAction);
    expect(theirs.checksArch).toBe(true);
    // Names newer than this libseccomp's table take its default action (pinned in libseccomp.test.ts).
    const skip = skippedNumbers(built.skipped);
    for (const arch of ARCHES) {
      const known = ([nr]: [number, unknown]) => !skip.has(`${arch}:${nr}`);
      expect([...theirs.arches[arch]!].filter(known)).toEqual([...summary.arches[arch]!].filter(known));
    }
  });

  it('notices a filter that never looks at the arch', () => {
    const naive = [
      stmt(LD | W | ABS, 0),
      jump(JMP | JEQ | K, 59, 0, 1),
      stmt(RET | K, 0),
      stmt(RET | K, 0x7fff0000),
    ];
    const s = summarizeProgram(naive, ['x86_64', 'i386']);
    expect(s.checksArch).toBe(false);
    // i386's 59 is not execve, yet this filter kills it: the x86_64 number decides on every arch.
    expect(s.arches.i386!.get(59)).toEqual({ kind: 'kill-thread' });
    expect(s.arches.x86_64!.get(syscallNumber('x86_64', 'execve')!)).toEqual({ kind: 'kill-thread' });
  });
});

describe('policyFromProgram', () => {
  const check = (policy: Policy, program: ValidatedProgram, skip: readonly string[] = []) => {
    for (const arch of ARCHES) {
      for (const nr of [...new Set(Object.values(syscallTable(arch))), -1]) {
        if (skip.includes(`${arch}:${syscallName(arch, nr)}`)) continue;
        for (const args of SAMPLES) {
          const input = { auditArch: AUDIT_ARCH[arch], nr, args };
          expect(actionValue(evaluatePolicy(policy, input)), `${arch} ${nr} ${args}`).toBe(
            runFilter(program, seccompData(input)),
          );
        }
      }
    }
  };

  it('lifts our moby filter back to an equivalent policy, argument rules included', () => {
    const lifted = policyFromProgram(ours, ARCHES);
    expect(lifted.provenance?.options).toEqual({});
    expect(lifted.defaultAction).toEqual(moby.defaultAction);
    check(lifted, ours);
    // Merged back to plain conditions: no rule tests an argument twice (Docker/OCI can express it).
    for (const rules of Object.values(lifted.rules)) {
      for (const r of rules ?? [])
        expect(new Set(r.conditions.map((c) => c.arg)).size).toBe(r.conditions.length);
    }
    // And it compiles back to a program of the same size class.
    expect(compilePolicy(lifted).length).toBeLessThan(ours.length * 1.2);
  });

  it('lifts libseccomp’s moby filter too', needs('libseccomp'), () => {
    const theirs = compileWithLibseccomp(moby).program;
    const lifted = policyFromProgram(theirs, ARCHES);
    // libseccomp tests only the low word of x32 arguments; "low word != 40" has no 64-bit
    // condition form, so that one syscall is approximated (and says so).
    expect(lifted.provenance?.options).toEqual({ approximated: 'x32:socket' });
    check(lifted, theirs, ['x32:socket']);
  });

  it('survives a round trip through raw bytes', () => {
    const decoded = decodeProgram(encodeProgram(ours));
    expect(decoded).toEqual(ours);
    expect(summarizeProgram(decoded, ['x86_64']).arches.x86_64).toEqual(
      summarizeProgram(ours, ['x86_64']).arches.x86_64,
    );
  });
});

describe('constantResult (the kernel’s action-cache emulation)', () => {
  it('is decided for unconditional syscalls and undecided where arguments are read', () => {
    const read = syscallNumber('x86_64', 'read')!;
    const clone = syscallNumber('x86_64', 'clone')!;
    expect(constantResult(ours, AUDIT_ARCH.x86_64, read)).toBe(0x7fff0000);
    expect(constantResult(ours, AUDIT_ARCH.x86_64, clone)).toBeUndefined();
    expect(constantResult(ours, 0x12345678, read)).toBe(0x80000000);
  });
});

describe('disassembly of a compiled filter', () => {
  it('reads as a listing with names', () => {
    const policy: Policy = {
      defaultAction: { kind: 'errno', errno: 1 },
      arches: ['x86_64'],
      rules: {
        x86_64: [
          { syscall: 'read', nr: 0, action: { kind: 'allow' }, conditions: [] },
          { syscall: 'write', nr: 1, action: { kind: 'allow' }, conditions: [] },
          {
            syscall: 'close',
            nr: 3,
            action: { kind: 'allow' },
            conditions: [{ arg: 0, op: 'GT', value: 2n }],
          },
          { syscall: 'exit_group', nr: 231, action: { kind: 'allow' }, conditions: [] },
        ],
      },
    };
    expect(disassembleSeccomp(compilePolicy(policy))).toMatchInlineSnapshot(`
      " line  CODE  JT   JF      K
      =================================
       0000: 0x20 0x00 0x00 0x00000004  A = arch
       0001: 0x15 0x00 0x0c 0xc000003e  if (A != ARCH_X86_64) goto 0014
       0002: 0x20 0x00 0x00 0x00000000  A = sys_number
       0003: 0x35 0x03 0x00 0x000000e7  if (A >= exit_group) goto 0007
       0004: 0x35 0x01 0x00 0x00000003  if (A >= close) goto 0006
       0005: 0x15 0x09 0x0a 0x00000002  if (A == open) goto 0015 else goto 0016
       0006: 0x15 0x03 0x08 0x00000003  if (A == close) goto 0010 else goto 0015
       0007: 0x35 0x01 0x00 0x40000000  if (A >= read) goto 0009
       0008: 0x15 0x07 0x06 0x000000e7  if (A == exit_group) goto 0016 else goto 0015
       0009: 0x35 0x05 0x04 0x80000000  if (A >= 0x80000000) goto 0015 else goto 0014
       0010: 0x20 0x00 0x00 0x00000014  A = args[0] >> 32
       0011: 0x25 0x04 0x00 0x00000000  if (A > 0x0) goto 0016
       0012: 0x20 0x00 0x00 0x00000010  A = args[0]
       0013: 0x25 0x02 0x01 0x00000002  if (A > 0x2) goto 0016 else goto 0015
       0014: 0x06 0x00 0x00 0x80000000  return KILL_PROCESS
       0015: 0x06 0x00 0x00 0x00050001  return ERRNO(1) EPERM
       0016: 0x06 0x00 0x00 0x7fff0000  return ALLOW
      "
    `);
  });
});

describe('reading back random compiled policies', () => {
  it('policyFromProgram(compilePolicy(p)) acts like p, and summaries agree with evaluatePolicy', () => {
    fc.assert(
      fc.property(
        policyArb.filter((p) => p.arches.length > 0),
        fc.array(fc.array(fc.constantFrom(...INTERESTING), { minLength: 6, maxLength: 6 }), {
          minLength: 6,
          maxLength: 6,
        }),
        (policy, samples) => {
          const program = compilePolicy(policy);
          const arches = policy.arches.filter((a) => a !== 'aarch64');
          const lifted = policyFromProgram(program, arches);
          const summary = summarizeProgram(program, arches);
          for (const arch of arches) {
            for (const nr of poolOf(arch)) {
              // Numbers without a name are summarised only where they differ from the default, alone
              // or in runs.
              const run = summary.ranges[arch]?.find((r) => nr >= r.lo && nr <= r.hi);
              const got = summary.arches[arch]!.get(nr) ?? run?.outcome ?? summary.defaultAction!;
              for (const args of [[], ...samples]) {
                const input = { auditArch: AUDIT_ARCH[arch], nr, args };
                const want = runFilter(program, seccompData(input));
                if (got !== 'conditional') expect(actionValue(got)).toBe(want);
                const approximated = (lifted.provenance?.options.approximated ?? '').split(',');
                if (approximated.includes(`${arch}:${syscallName(arch, nr) ?? `syscall_${nr}`}`)) continue;
                expect(actionValue(evaluatePolicy(lifted, input)), `${arch} ${nr} ${args}`).toBe(want);
              }
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  });
});
