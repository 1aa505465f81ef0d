import { describe, expect, it } from 'vitest';
import { diffPolicies, formatDiff } from '../../src/enforcer/diff.js';
import { ALLOW, policy, rule } from './helpers.js';

describe('diffPolicies', () => {
  it('says identical for the same rules in another order', () => {
    const a = policy(['read', 'write', 'close']);
    const b = policy(['close', 'read', 'write']);
    const d = diffPolicies(a, b);
    expect(d.identical).toBe(true);
    expect(formatDiff(d, { a: 'a', b: 'b' })).toContain('same syscalls');
  });

  it('lists added and removed syscalls and argument rules per arch', () => {
    const sockInet = rule('x86_64', 'socket', ALLOW, [{ arg: 0, op: 'EQ', value: 2n }]);
    const sockUnix = rule('x86_64', 'socket', ALLOW, [{ arg: 0, op: 'EQ', value: 1n }]);
    const a = policy(['read', 'write', 'getppid'], [sockUnix]);
    const b = policy(['read', 'write', 'openat'], [sockUnix, sockInet], {
      arches: ['x86_64', 'i386'],
      rules: {
        x86_64: [
          rule('x86_64', 'read'),
          rule('x86_64', 'write'),
          rule('x86_64', 'openat'),
          sockUnix,
          sockInet,
        ],
        i386: [rule('i386', 'read')],
      },
      defaultAction: { kind: 'errno', errno: 1 },
    });
    const d = diffPolicies(a, b);
    expect(d.identical).toBe(false);
    expect(d.defaultAction).toEqual({ from: 'kill-process', to: 'errno(EPERM)' });
    expect(d.arches).toEqual({ added: ['i386'], removed: [] });
    expect(d.syscalls.x86_64).toEqual({
      added: [{ syscall: 'openat', rules: ['allow'] }],
      removed: [{ syscall: 'getppid', rules: ['allow'] }],
      changed: [{ syscall: 'socket', addedRules: ['allow if arg0 == 2'], removedRules: [] }],
    });
    expect(d.syscalls.i386).toEqual({
      added: [{ syscall: 'read', rules: ['allow'] }],
      removed: [],
      changed: [],
    });
    const text = formatDiff(d, { a: 'old.json', b: 'new.json' });
    expect(text).toContain('default action: kill-process → errno(EPERM)');
    expect(text).toMatch(/\+ openat\s+allow/);
    expect(text).toMatch(/- getppid\s+allow/);
    expect(text).toMatch(/~ socket\s+\+\(allow if arg0 == 2\)/);
  });

  it('reports a changed action on an unconditional rule', () => {
    const a = policy(['read', 'clone3']);
    const b = policy(['read'], [rule('x86_64', 'clone3', { kind: 'errno', errno: 38 })]);
    expect(diffPolicies(a, b).syscalls.x86_64?.changed).toEqual([
      { syscall: 'clone3', addedRules: ['errno(ENOSYS)'], removedRules: ['allow'] },
    ]);
  });
});
