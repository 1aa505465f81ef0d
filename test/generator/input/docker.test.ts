import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ARCH, syscallNumber } from '../../../src/arch/index.js';
import { ProfilerError } from '../../../src/errors.js';
import { parseDockerProfile } from '../../../src/generator/input/docker.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from '../../../src/generator/policy/options.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { parseJson } from '../../../src/util/json.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';

const MOBY = readFileSync(MOBY_DEFAULT, 'utf8');

const opts = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({
  ...DEFAULT_GENERATE_OPTIONS,
  kernel: '6.1',
  ...o,
});
const moby = (o: Partial<GenerateOptions> = {}) => parseDockerProfile(MOBY, 'moby-default.json', opts(o));

function act(p: Policy, name: string, args: bigint[] = [], arch: 'x86_64' | 'i386' | 'x32' = 'x86_64') {
  const nr = syscallNumber(arch, name);
  if (nr === undefined) throw new Error(`${name} not on ${arch}`);
  return evaluatePolicy(p, { auditArch: AUDIT_ARCH[arch], nr, args });
}

function profile(syscalls: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls,
    ...extra,
  });
}

function error(text: string, o: Partial<GenerateOptions> = {}): string {
  try {
    parseDockerProfile(text, 'p.json', opts(o));
  } catch (e) {
    expect(e).toBeInstanceOf(ProfilerError);
    expect((e as ProfilerError).message).not.toContain('\n');
    return (e as ProfilerError).message;
  }
  throw new Error('expected an error');
}

describe('parseDockerProfile on moby-default', () => {
  it('parses, with the archMap entry of the native arch', () => {
    const p = moby();
    expect(p.arches).toEqual(['x86_64', 'i386', 'x32']);
    expect(p.defaultAction).toEqual({ kind: 'errno', errno: 1 });
    expect(act(p, 'read').kind).toBe('allow');
    expect(act(p, 'read', [], 'i386').kind).toBe('allow');
    expect(act(p, 'read', [], 'x32').kind).toBe('allow');
    expect(act(p, 'mount').kind).toBe('errno');
    expect(act(p, 'arch_prctl').kind).toBe('allow');
  });

  it('evaluates caps: clone is restricted without CAP_SYS_ADMIN and clone3 gets ENOSYS', () => {
    const p = moby();
    expect(act(p, 'clone', [0x11n]).kind).toBe('allow');
    expect(act(p, 'clone', [0x10000000n]).kind).toBe('errno');
    expect(act(p, 'clone3')).toEqual({ kind: 'errno', errno: 38 });
    expect(act(p, 'bpf').kind).toBe('errno');
    const admin = moby({ caps: ['CAP_SYS_ADMIN'] });
    expect(act(admin, 'clone', [0x10000000n]).kind).toBe('allow');
    expect(act(admin, 'clone3').kind).toBe('allow');
    expect(act(admin, 'mount').kind).toBe('allow');
    expect(act(moby({ caps: ['CAP_SYS_PTRACE'] }), 'kcmp').kind).toBe('allow');
  });

  it('evaluates minKernel against --kernel', () => {
    expect(act(moby({ kernel: '4.8' }), 'ptrace').kind).toBe('allow');
    expect(act(moby({ kernel: '4.7' }), 'ptrace').kind).toBe('errno');
  });

  it('evaluates arches against the target arches', () => {
    const p = moby({ arches: ['x86_64'] });
    expect(p.arches).toEqual(['x86_64']);
    expect(act(p, 'modify_ldt').kind).toBe('allow');
    // s390's clone rule (args at index 1) is excluded on x86.
    expect(p.rules.x86_64!.filter((r) => r.syscall === 'clone').map((r) => r.conditions[0]?.arg)).toEqual([
      0,
    ]);
  });

  it('keeps personality rules and their 64-bit values', () => {
    const p = moby();
    expect(act(p, 'personality', [0xffffffffn]).kind).toBe('allow');
    expect(act(p, 'personality', [0x1ffffffffn]).kind).toBe('errno');
    expect(act(p, 'socket', [40n]).kind).toBe('errno');
    expect(act(p, 'socket', [2n]).kind).toBe('allow');
  });
});

describe('parseDockerProfile semantics', () => {
  it('reads name and names, errnoRet and defaultErrnoRet, valueTwo', () => {
    const p = parseDockerProfile(
      profile(
        [
          { name: 'read', action: 'SCMP_ACT_ALLOW' },
          { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
          {
            names: ['mmap'],
            action: 'SCMP_ACT_ALLOW',
            args: [{ index: 2, value: 6, valueTwo: 2, op: 'SCMP_CMP_MASKED_EQ' }],
          },
        ],
        { defaultErrnoRet: 38 },
      ),
      'p.json',
      opts(),
    );
    expect(p.defaultAction).toEqual({ kind: 'errno', errno: 38 });
    expect(act(p, 'read').kind).toBe('allow');
    expect(act(p, 'mkdir')).toEqual({ kind: 'errno', errno: 13 });
    expect(act(p, 'mmap', [0n, 0n, 3n]).kind).toBe('allow');
    expect(act(p, 'mmap', [0n, 0n, 7n])).toEqual({ kind: 'errno', errno: 38 });
  });

  it('keeps 64-bit argument values exact', () => {
    const text = profile([
      {
        names: ['ioctl'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 1, value: 12345, op: 'SCMP_CMP_EQ' }],
      },
    ]).replace('12345', '18446744073709551615');
    const p = parseDockerProfile(text, 'p.json', opts());
    expect(p.rules.x86_64![0]!.conditions[0]!.value).toBe(0xffffffffffffffffn);
  });

  it('follows runc: repeated arg indexes in one rule are ORed, distinct ones ANDed', () => {
    const p = parseDockerProfile(
      profile([
        {
          names: ['socket'],
          action: 'SCMP_ACT_ALLOW',
          args: [
            { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
            { index: 0, value: 2, op: 'SCMP_CMP_EQ' },
          ],
        },
        {
          names: ['kill'],
          action: 'SCMP_ACT_ALLOW',
          args: [
            { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
            { index: 1, value: 9, op: 'SCMP_CMP_EQ' },
          ],
        },
      ]),
      'p.json',
      opts(),
    );
    expect(act(p, 'socket', [1n]).kind).toBe('allow');
    expect(act(p, 'socket', [2n]).kind).toBe('allow');
    expect(act(p, 'socket', [3n]).kind).toBe('errno');
    expect(act(p, 'kill', [1n, 9n]).kind).toBe('allow');
    expect(act(p, 'kill', [1n, 15n]).kind).toBe('errno');
  });

  it('drops rules whose action is the default action, as runc does', () => {
    const p = parseDockerProfile(profile([{ names: ['read'], action: 'SCMP_ACT_ERRNO' }]), 'p.json', opts());
    expect(p.rules.x86_64).toEqual([]);
  });

  it('SCMP_ACT_KILL is kill-thread, as in runc', () => {
    const p = parseDockerProfile(profile([{ names: ['read'], action: 'SCMP_ACT_KILL' }]), 'p.json', opts());
    expect(act(p, 'read').kind).toBe('kill-thread');
  });

  it('skips names that exist only on other ABIs, and ABIs we have no tables for', () => {
    const p = parseDockerProfile(
      profile(
        [{ names: ['socketcall', 'cachestat', 's390_runtime_instr', 'read'], action: 'SCMP_ACT_ALLOW' }],
        {
          architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_S390X'],
        },
      ),
      'p.json',
      opts(),
    );
    expect(p.arches).toEqual(['x86_64', 'i386']);
    expect(p.rules.x86_64!.map((r) => r.syscall)).toEqual(['cachestat', 'read']);
    expect(p.rules.i386!.map((r) => r.syscall)).toEqual(['socketcall', 'cachestat', 'read']);
  });
});

describe('parseDockerProfile errors (one line each)', () => {
  it.each([
    [
      profile([{ names: ['opne'], action: 'SCMP_ACT_ALLOW' }]),
      /syscalls\[0\] \(opne\): unknown syscall `opne` \(did you mean open/,
    ],
    [
      profile([{ names: ['read'], action: 'SCMP_ACT_ALOW' }]),
      /unknown action `SCMP_ACT_ALOW` \(did you mean SCMP_ACT_ALLOW/,
    ],
    [
      profile([
        { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }] },
      ]),
      /unknown op `SCMP_CMP_EQUAL`/,
    ],
    [
      profile([
        { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] },
      ]),
      /arg index 6 is out of range/,
    ],
    [
      profile([{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }]),
      /`name` and `names` are both set/,
    ],
    [
      profile([
        { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] },
      ]),
      /unsigned 64-bit integer/,
    ],
    [
      profile([], { architectures: ['SCMP_ARCH_X86_46'] }),
      /unknown architecture `SCMP_ARCH_X86_46` \(did you mean SCMP_ARCH_X86_64/,
    ],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_NOPE', syscalls: [] }), /defaultAction: unknown action/],
  ])('%#', (text, want) => {
    expect(error(text)).toMatch(want);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(error('{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [,]\n}')).toBe(
      'p.json:3:16: invalid JSON: unexpected `,`',
    );
    expect(error('{"defaultAction": "SCMP_ACT_ERRNO",}')).toMatch(
      /^p\.json:1:36: invalid JSON: expected a property name/,
    );
    expect(error('{"a": "x')).toMatch(/^p\.json:1:7: invalid JSON: unterminated string/);
  });
});

describe('parseJson', () => {
  it('reads JSON like JSON.parse, with exact big integers', () => {
    const text = '{"a": [1, -2.5e3, true, null, "x\\u0041\\n"], "b": {"c": 9007199254740993}}';
    expect(parseJson(text, 't')).toEqual({ a: [1, -2500, true, null, 'xA\n'], b: { c: 9007199254740993n } });
  });
});
