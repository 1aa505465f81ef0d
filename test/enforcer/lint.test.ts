import { describe, expect, it } from 'vitest';
import { lintPolicy } from '../../src/enforcer/lint.js';
import { ALLOW, policy, rule } from './helpers.js';

const BASE = ['read', 'write', 'exit_group', 'brk'];
const checks = (p: Parameters<typeof lintPolicy>[0], o?: Parameters<typeof lintPolicy>[1]) =>
  lintPolicy(p, o).map((f) => `${f.check}:${f.syscall ?? f.arch ?? ''}`);

describe('lintPolicy', () => {
  it('finds nothing in a plain allowlist', () => {
    expect(lintPolicy(policy(BASE))).toEqual([]);
  });

  it.each([
    'ptrace',
    'bpf',
    'mount',
    'kexec_load',
    'init_module',
    'userfaultfd',
    'keyctl',
    'perf_event_open',
    'unshare',
    'setns',
    'io_uring_setup',
    'io_uring_enter',
    'io_uring_register',
    'process_vm_readv',
    'process_vm_writev',
    'pidfd_getfd',
    'open_tree',
    'open_tree_attr',
    'fsopen',
    'fspick',
    'fsconfig',
    'fsmount',
    'move_mount',
    'mount_setattr',
  ])('flags %s with a one-line reason', (name) => {
    const findings = lintPolicy(policy([...BASE, name]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'dangerous-syscall', syscall: name, arch: 'x86_64' });
    expect(findings[0]?.message).toMatch(new RegExp(`^x86_64 ${name} allowed: .+`));
    expect(findings[0]?.message).not.toContain('\n');
  });

  it('does not flag a dangerous syscall that a rule refuses before the allowing default', () => {
    const p = policy(BASE, [rule('x86_64', 'ptrace', { kind: 'errno', errno: 1 })], {
      defaultAction: ALLOW,
    });
    expect(checks(p)).not.toContain('dangerous-syscall:ptrace');
    expect(checks(p)).toContain('dangerous-syscall:bpf');
    expect(checks(p)).toContain('default-allows:');
  });

  it('flags clone when namespace flags pass, not when they are masked out', () => {
    expect(checks(policy([...BASE, 'clone']))).toContain('clone-namespaces:clone');
    const masked = rule('x86_64', 'clone', ALLOW, [
      { arg: 0, op: 'MASKED_EQ', value: 0x7e020000n, valueTwo: 0n },
    ]);
    expect(checks(policy(BASE, [masked]))).not.toContain('clone-namespaces:clone');
    const onlyUser = rule('x86_64', 'clone', ALLOW, [
      { arg: 0, op: 'MASKED_EQ', value: 0x10000000n, valueTwo: 0n },
    ]);
    expect(checks(policy(BASE, [onlyUser]))).toContain('clone-namespaces:clone');
    const exact = rule('x86_64', 'clone', ALLOW, [{ arg: 0, op: 'EQ', value: 0x1200011n }]);
    expect(checks(policy(BASE, [exact]))).not.toContain('clone-namespaces:clone');
    const exactNs = rule('x86_64', 'clone', ALLOW, [{ arg: 0, op: 'EQ', value: 0x40000000n | 0x11n }]);
    expect(checks(policy(BASE, [exactNs]))).toContain('clone-namespaces:clone');
  });

  it('flags clone3, whose flags seccomp cannot read', () => {
    expect(checks(policy([...BASE, 'clone3']))).toEqual(['clone3-unfilterable:clone3']);
  });

  it('gives the clone3 ENOSYS advice only where glibc’s fallback to clone is checked', () => {
    const message = (p: Parameters<typeof lintPolicy>[0]) =>
      lintPolicy(p).find((f) => f.check === 'clone3-unfilterable')?.message ?? '';
    // clone allowed without namespace flags: ENOSYS for clone3 sends glibc to the checked clone.
    const masked = rule('x86_64', 'clone', ALLOW, [
      { arg: 0, op: 'MASKED_EQ', value: 0x7e020000n, valueTwo: 0n },
    ]);
    expect(message(policy([...BASE, 'clone3'], [masked]))).toContain('--errno clone3=ENOSYS');
    // clone not allowed at all: ENOSYS would leave no way to start threads.
    const alone = message(policy([...BASE, 'clone3']));
    expect(alone).not.toContain('--errno');
    expect(alone).toContain('clone is not allowed');
    // clone allowed with namespace flags: clone3 adds nothing clone does not already allow.
    const open = message(policy([...BASE, 'clone3', 'clone']));
    expect(open).not.toContain('--errno');
    expect(open).toContain('as they do through clone here');
  });

  it('flags W+X mappings unless PROT_WRITE|PROT_EXEC is refused', () => {
    expect(checks(policy([...BASE, 'mmap', 'mprotect']))).toEqual([
      'write-exec-memory:mmap',
      'write-exec-memory:mprotect',
    ]);
    const safe = ['mmap', 'mprotect'].map((n) =>
      rule('x86_64', n, ALLOW, [{ arg: 2, op: 'MASKED_EQ', value: 0x6n, valueTwo: 0x2n }]),
    );
    const safe2 = ['mmap', 'mprotect'].map((n) =>
      rule('x86_64', n, ALLOW, [{ arg: 2, op: 'MASKED_EQ', value: 0x6n, valueTwo: 0x0n }]),
    );
    const safe3 = ['mmap', 'mprotect'].map((n) =>
      rule('x86_64', n, ALLOW, [{ arg: 2, op: 'MASKED_EQ', value: 0x6n, valueTwo: 0x4n }]),
    );
    expect(checks(policy(BASE, [...safe, ...safe2, ...safe3]))).toEqual([]);
    // A deny rule for W|X placed first, then an unconditional allow: safe.
    const denyFirst = [
      rule('x86_64', 'mmap', { kind: 'errno', errno: 13 }, [
        { arg: 2, op: 'MASKED_EQ', value: 0x6n, valueTwo: 0x6n },
      ]),
      rule('x86_64', 'mmap'),
    ];
    expect(checks(policy(BASE, denyFirst))).toEqual([]);
  });

  it('flags i386 and x32 allowed beside x86_64, not an ABI that is listed but allows nothing', () => {
    const p = policy(BASE, [], {
      arches: ['x86_64', 'i386', 'x32'],
      rules: { x86_64: [rule('x86_64', 'read')], i386: [rule('i386', 'read')], x32: [rule('x32', 'read')] },
    });
    expect(checks(p)).toEqual(['foreign-abi:i386', 'foreign-abi:x32']);
    const closed = policy(BASE, [], {
      arches: ['x86_64', 'i386', 'x32'],
      rules: {
        x86_64: [rule('x86_64', 'read')],
        i386: [],
        x32: [rule('x32', 'read', { kind: 'errno', errno: 1 })],
      },
    });
    expect(checks(closed)).toEqual([]);
  });

  it('flags a raw filter with no arch check and an allowing default', () => {
    expect(checks(policy(BASE), { checksArch: false })).toEqual(['no-arch-check:']);
    expect(checks(policy(BASE, [], { defaultAction: { kind: 'log' } }))[0]).toBe('default-allows:');
  });

  it('reads i386 arguments as 32-bit', () => {
    const p = policy([], [], {
      arches: ['i386'],
      rules: { i386: [rule('i386', 'mmap2', ALLOW, [{ arg: 2, op: 'LE', value: 0x3n }])] },
    });
    expect(checks(p)).toEqual([]);
  });
});
