import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Arch, AUDIT_ARCH, X32_SYSCALL_BIT } from '../../../src/arch/index.js';
import { decodeProgram } from '../../../src/generator/bpf/encode.js';
import { emitPolicy } from '../../../src/generator/emit/index.js';
import { parseDockerProfile } from '../../../src/generator/input/docker.js';
import { parseOciSeccomp } from '../../../src/generator/input/oci.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { policyFromProgram } from '../../../src/generator/seccomp/analyze.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';
import { samplePolicy } from './support.js';

const opts = { ...DEFAULT_GENERATE_OPTIONS, kernel: '6.1' };
const moby = () => parseDockerProfile(readFileSync(MOBY_DEFAULT, 'utf8'), 'moby', opts);

/** The IR without provenance, each arch's rules stably sorted by number (order only matters per syscall). */
function canonical(p: Policy): unknown {
  return {
    defaultAction: p.defaultAction,
    arches: p.arches,
    rules: Object.fromEntries(p.arches.map((a) => [a, [...(p.rules[a] ?? [])].sort((x, y) => x.nr - y.nr)])),
  };
}

/** Same action for every syscall number of every arch, with argument values taken from the rules. */
function expectSameBehaviour(a: Policy, b: Policy, arches: readonly Arch[]): void {
  const samples = new Set<bigint>([0n, 1n, 2n, 3n, 7n, 0xffffffffn, 0x7e020000n, 0x10000000n, 1n << 40n]);
  for (const arch of arches)
    for (const r of a.rules[arch] ?? [])
      for (const c of r.conditions)
        for (const v of [c.value, c.valueTwo ?? 0n])
          for (const x of [v, v + 1n, v - 1n]) samples.add(x & ((1n << 64n) - 1n));
  let checked = 0;
  for (const arch of arches) {
    for (let i = 0; i < 480; i++) {
      const nr = arch === 'x32' ? i | X32_SYSCALL_BIT : i;
      for (const s of samples) {
        const input = { auditArch: AUDIT_ARCH[arch], nr, args: [s, s, s, s, s, s] };
        expect(evaluatePolicy(b, input), `${arch} nr ${nr} arg ${s}`).toEqual(evaluatePolicy(a, input));
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(1000);
}

describe('round trips', () => {
  it('docker → IR → docker → IR is the identity on moby-default', () => {
    const ir1 = moby();
    const ir2 = parseDockerProfile(emitPolicy(ir1, 'docker') as string, 'again', opts);
    expect(canonical(ir2)).toEqual(canonical(ir1));
  });

  it('docker → IR → docker is stable on a recording-derived policy with argument rules', () => {
    const ir1 = parseDockerProfile(emitPolicy(samplePolicy(), 'docker') as string, 'a', opts);
    const ir2 = parseDockerProfile(emitPolicy(ir1, 'docker') as string, 'b', opts);
    expect(canonical(ir2)).toEqual(canonical(ir1));
    // and the x86_64 rules are those of the original policy
    expect(canonical({ ...ir1, arches: ['x86_64'] })).toEqual(
      canonical({ ...samplePolicy(), arches: ['x86_64'] }),
    );
  });

  it('oci → IR → oci → IR is the identity', () => {
    const ir1 = parseOciSeccomp(emitPolicy(moby(), 'oci') as string, 'a', opts);
    expect(canonical(ir1)).toEqual(canonical(moby()));
    const ir2 = parseOciSeccomp(emitPolicy(ir1, 'oci') as string, 'b', opts);
    expect(canonical(ir2)).toEqual(canonical(ir1));
  });

  it('bpf → policyFromProgram behaves like moby-default, argument rules included', () => {
    const policy = moby();
    const program = decodeProgram(emitPolicy(policy, 'bpf') as Uint8Array);
    expectSameBehaviour(policy, policyFromProgram(program, ['x86_64', 'i386', 'x32']), [
      'x86_64',
      'i386',
      'x32',
    ]);
  });

  it('bpf → policyFromProgram is exact on unconditional syscalls and never stricter on the others', () => {
    const policy = samplePolicy();
    const program = decodeProgram(emitPolicy(policy, 'bpf') as Uint8Array);
    const lifted = policyFromProgram(program, ['x86_64', 'i386', 'x32']);
    const conditional = new Set(policy.rules.x86_64!.filter((r) => r.conditions.length).map((r) => r.nr));
    for (const arch of ['x86_64', 'i386', 'x32'] as const)
      for (let i = 0; i < 480; i++) {
        const nr = arch === 'x32' ? i | X32_SYSCALL_BIT : i;
        for (const arg of [0n, 3n, 7n, 0x10000000n]) {
          const input = { auditArch: AUDIT_ARCH[arch], nr, args: [arg, arg, arg, arg, arg, arg] };
          const want = evaluatePolicy(policy, input);
          const got = evaluatePolicy(lifted, input);
          if (arch === 'x86_64' && conditional.has(nr)) {
            if (want.kind === 'allow') expect(got.kind, `${nr} ${arg}`).toBe('allow');
          } else expect(got, `${arch} ${nr} ${arg}`).toEqual(want);
        }
      }
  });

  it('refuses to write a rule that tests one argument twice as Docker JSON (runc would OR it)', () => {
    const p: Policy = {
      defaultAction: { kind: 'kill-process' },
      arches: ['x86_64'],
      rules: {
        x86_64: [
          {
            syscall: 'read',
            nr: 0,
            action: { kind: 'allow' },
            conditions: [
              { arg: 0, op: 'GE', value: 3n },
              { arg: 0, op: 'LE', value: 9n },
            ],
          },
        ],
      },
    };
    expect(() => emitPolicy(p, 'docker')).toThrow(
      /tests arg 0 twice; Docker\/OCI runtimes \(runc\) would OR/,
    );
  });
});
