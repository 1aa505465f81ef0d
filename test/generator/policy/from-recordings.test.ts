import { describe, expect, it } from 'vitest';
import { AUDIT_ARCH, syscallNumber } from '../../../src/arch/index.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { CLONE_NEW_MASK, policyFromRecordings } from '../../../src/generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from '../../../src/generator/policy/options.js';
import { runtimeSyscalls } from '../../../src/generator/policy/runtime.js';
import type { Action, Policy } from '../../../src/generator/policy/types.js';
import { makeRecording, values } from './fixtures.js';

const opts = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({ ...DEFAULT_GENERATE_OPTIONS, ...o });

function call(
  policy: Policy,
  name: string,
  args: bigint[] = [],
  arch: 'x86_64' | 'i386' = 'x86_64',
): Action['kind'] {
  const nr = syscallNumber(arch, name)!;
  return evaluatePolicy(policy, { auditArch: AUDIT_ARCH[arch], nr, args }).kind;
}

/** The syscalls `p` allows on `arch` (ENOSYS rules for newer syscalls aside). */
const names = (p: Policy, arch: 'x86_64' | 'i386' | 'x32' = 'x86_64') => [
  ...new Set((p.rules[arch] ?? []).filter((r) => r.action.kind === 'allow').map((r) => r.syscall)),
];

const AF_INET = 2n;
const AF_UNIX = 1n;
const AF_PACKET = 17n;

describe('policyFromRecordings', () => {
  it('allows the union of the recordings plus the baseline, and kills the rest', () => {
    const a = makeRecording({ syscalls: { x86_64: ['read', 'write'] } });
    const b = makeRecording({ syscalls: { x86_64: ['openat', 'read'] } });
    const p = policyFromRecordings([a, b], opts());
    expect(p.arches).toEqual(['x86_64']);
    expect(names(p).sort()).toEqual([
      'exit',
      'exit_group',
      'openat',
      'read',
      'restart_syscall',
      'rt_sigreturn',
      'sched_yield',
      'write',
    ]);
    expect(call(p, 'read')).toBe('allow');
    expect(call(p, 'openat')).toBe('allow');
    expect(call(p, 'ptrace')).toBe('kill-process');
    // Rules are sorted by number: deterministic output.
    const nrs = p.rules.x86_64!.map((r) => r.nr);
    expect(nrs).toEqual([...nrs].sort((x, y) => x - y));
  });

  it('--no-baseline leaves out rt_sigreturn, restart_syscall, exit, exit_group and sched_yield', () => {
    const p = policyFromRecordings(
      [makeRecording({ syscalls: { x86_64: ['read'] } })],
      opts({ baseline: false }),
    );
    expect(names(p)).toEqual(['read']);
    expect(call(p, 'exit_group')).toBe('kill-process');
  });

  it('includes i386 and x32 only when recorded', () => {
    const p = policyFromRecordings(
      [makeRecording({ syscalls: { x86_64: ['read'], i386: ['socketcall'] } })],
      opts({ baseline: false }),
    );
    expect(p.arches).toEqual(['x86_64', 'i386']);
    expect(names(p, 'i386')).toEqual(['socketcall']);
    expect(call(p, 'socketcall', [], 'i386')).toBe('allow');
    expect(call(p, 'read', [], 'i386')).toBe('kill-process');
  });

  it('uses the default action and per-syscall errno overrides', () => {
    const rec = makeRecording({ syscalls: { x86_64: ['read', 'clone3', 'clone'] } });
    const p = policyFromRecordings(
      [rec],
      opts({ defaultAction: { kind: 'errno', errno: 1 }, errnoOverrides: new Map([['clone3', 38]]) }),
    );
    expect(
      evaluatePolicy(p, { auditArch: AUDIT_ARCH.x86_64, nr: syscallNumber('x86_64', 'clone3')!, args: [] }),
    ).toEqual({
      kind: 'errno',
      errno: 38,
    });
    expect(call(p, 'mount')).toBe('errno');
  });

  describe('--args', () => {
    const rec = makeRecording({
      syscalls: { x86_64: ['socket', 'ioctl', 'mmap', 'mprotect', 'clone', 'personality', 'prctl'] },
      args: {
        x86_64: {
          socket: values([
            { domain: 2, type: 1 },
            { domain: 1, type: 0x80001 },
          ]),
          ioctl: values([{ request: 0x5401 }]),
          prctl: values([{ option: 15 }]),
          mmap: values([{ prot: 1 }, { prot: 3 }]),
          mprotect: values([{ prot: 5 }]),
          clone: values([{ flags: 0x1200011 }]),
          personality: values([{ persona: 0xffffffff }]),
        },
      },
    });

    it('none: every recorded syscall is allowed unconditionally', () => {
      const p = policyFromRecordings([rec], opts({ args: 'none' }));
      expect(p.rules.x86_64!.every((r) => r.conditions.length === 0)).toBe(true);
      expect(call(p, 'socket', [AF_PACKET])).toBe('allow');
    });

    it('safe: socket domains, clone namespaces, personality and W^X', () => {
      const p = policyFromRecordings([rec], opts());
      expect(call(p, 'socket', [AF_INET, 1n])).toBe('allow');
      expect(call(p, 'socket', [AF_UNIX, 5n])).toBe('allow');
      expect(call(p, 'socket', [AF_PACKET, 3n])).toBe('kill-process');
      // int-typed: the kernel ignores the high half, so junk there must not matter.
      expect(call(p, 'socket', [0xdead_beef_0000_0000n | AF_INET])).toBe('allow');
      expect(call(p, 'clone', [0x1200011n])).toBe('allow');
      expect(call(p, 'clone', [0x1200011n | 0x10000000n /* CLONE_NEWUSER */])).toBe('kill-process');
      expect(call(p, 'personality', [0xffffffffn])).toBe('allow');
      expect(call(p, 'personality', [0x0040000n /* READ_IMPLIES_EXEC */])).toBe('kill-process');
      expect(call(p, 'mmap', [0n, 4096n, 3n])).toBe('allow');
      expect(call(p, 'mmap', [0n, 4096n, 5n])).toBe('allow');
      expect(call(p, 'mmap', [0n, 4096n, 7n])).toBe('kill-process');
      expect(call(p, 'mprotect', [0n, 4096n, 6n])).toBe('kill-process');
      // not restricted in safe mode
      expect(call(p, 'ioctl', [1n, 0x1234n])).toBe('allow');
      expect(call(p, 'prctl', [22n])).toBe('allow');
      const socketRules = p.rules.x86_64!.filter((r) => r.syscall === 'socket');
      expect(socketRules.map((r) => r.conditions)).toEqual([
        [{ arg: 0, op: 'MASKED_EQ', value: 0xffffffffn, valueTwo: 1n }],
        [{ arg: 0, op: 'MASKED_EQ', value: 0xffffffffn, valueTwo: 2n }],
      ]);
      const cloneRules = p.rules.x86_64!.filter((r) => r.syscall === 'clone');
      expect(cloneRules.map((r) => r.conditions)).toEqual([
        [{ arg: 0, op: 'MASKED_EQ', value: CLONE_NEW_MASK, valueTwo: 0n }],
      ]);
    });

    it('strict: also ioctl requests, prctl options and fcntl cmds', () => {
      const p = policyFromRecordings([rec], opts({ args: 'strict' }));
      expect(call(p, 'ioctl', [1n, 0x5401n])).toBe('allow');
      expect(call(p, 'ioctl', [1n, 0xffff_ffff_0000_5401n])).toBe('allow');
      expect(call(p, 'ioctl', [1n, 0x5402n])).toBe('kill-process');
      expect(call(p, 'prctl', [15n])).toBe('allow');
      expect(call(p, 'prctl', [22n /* PR_SET_SECCOMP */])).toBe('kill-process');
    });

    it('keeps W^X off when the workload mapped W+X memory', () => {
      const jit = makeRecording({
        syscalls: { x86_64: ['mmap'] },
        args: { x86_64: { mmap: values([{ prot: 7 }]) } },
      });
      const p = policyFromRecordings([jit], opts());
      expect(call(p, 'mmap', [0n, 1n, 7n])).toBe('allow');
    });

    it('never restricts a syscall whose recorded values are truncated', () => {
      const many = makeRecording({
        syscalls: { x86_64: ['socket', 'mmap', 'ioctl'] },
        args: {
          x86_64: {
            socket: values([{ domain: 2, type: 1 }], true),
            mmap: values([{ prot: 3 }], true),
            ioctl: values([{ request: 1 }], true),
          },
        },
      });
      const p = policyFromRecordings([many], opts({ args: 'strict' }));
      expect(p.rules.x86_64!.filter((r) => r.conditions.length)).toEqual([]);
      expect(call(p, 'socket', [AF_PACKET])).toBe('allow');
      expect(call(p, 'mmap', [0n, 1n, 7n])).toBe('allow');
    });

    it('takes the union of argument values across recordings; one recording without values lifts the restriction', () => {
      const a = makeRecording({
        syscalls: { x86_64: ['socket'] },
        args: { x86_64: { socket: values([{ domain: 2, type: 1 }]) } },
      });
      const b = makeRecording({
        syscalls: { x86_64: ['socket'] },
        args: { x86_64: { socket: values([{ domain: 10, type: 1 }]) } },
      });
      const p = policyFromRecordings([a, b], opts());
      expect(call(p, 'socket', [2n])).toBe('allow');
      expect(call(p, 'socket', [10n])).toBe('allow');
      expect(call(p, 'socket', [1n])).toBe('kill-process');
      const bare = makeRecording({ syscalls: { x86_64: ['socket'] } });
      expect(call(policyFromRecordings([a, bare], opts()), 'socket', [1n])).toBe('allow');
    });
  });

  it('--runtime runc adds what runc calls after loading the filter, without argument rules', () => {
    const rec = makeRecording({
      syscalls: { x86_64: ['read', 'prctl'] },
      args: { x86_64: { prctl: values([{ option: 15 }]) } },
    });
    const nnp = policyFromRecordings([rec], opts({ runtime: 'runc', noNewPrivileges: true, args: 'strict' }));
    for (const name of runtimeSyscalls('runc', true)) expect(call(nnp, name)).toBe('allow');
    expect(call(nnp, 'execve')).toBe('allow');
    expect(call(nnp, 'capset')).toBe('kill-process');
    // runc with NNP makes no prctl after the filter: the workload's restriction stays.
    expect(call(nnp, 'prctl', [22n])).toBe('kill-process');
    const priv = policyFromRecordings(
      [rec],
      opts({ runtime: 'runc', noNewPrivileges: false, args: 'strict' }),
    );
    for (const name of ['capset', 'setuid', 'setgroups', 'prctl', 'execve'])
      expect(call(priv, name)).toBe('allow');
    expect(runtimeSyscalls('runc', false).length).toBeGreaterThan(runtimeSyscalls('runc', true).length);
    expect(runtimeSyscalls('crun', true)).toContain('execve');
    expect(runtimeSyscalls('none', true)).toEqual([]);
    // Without a setting, both: what `docker run` and `docker run --security-opt no-new-privileges` need.
    expect(runtimeSyscalls('runc')).toEqual(runtimeSyscalls('runc', false));
    // 'any' is runc and crun; crun's create/start path waits on its exec fifo with pselect6 (measured).
    expect(runtimeSyscalls('any')).toEqual(expect.arrayContaining([...runtimeSyscalls('runc'), 'pselect6']));
  });

  it('records where it came from', () => {
    const p = policyFromRecordings(
      [makeRecording({ syscalls: { x86_64: ['read'] }, command: ['/bin/echo', 'hi'] })],
      opts(),
    );
    expect(p.provenance).toMatchObject({
      command: ['/bin/echo', 'hi'],
      cwd: '/work',
      options: { args: 'safe' },
    });
  });
});

describe('empty recordings', () => {
  it('give a policy without arches (drift recordings may hold nothing)', () => {
    const p = policyFromRecordings([makeRecording({ syscalls: {} })], opts());
    expect(p.arches).toEqual([]);
    expect(p.rules).toEqual({});
  });
});
