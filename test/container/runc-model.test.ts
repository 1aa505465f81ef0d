// How runc applies a profile: its ENOSYS stub above the highest number the profile names, counting
// only the names its libseccomp knows (patchbpf's findLastSyscalls), whose rules alone it installs.
import { describe, expect, it } from 'vitest';
import { AUDIT_ARCH } from '../../src/arch/index.js';
import { runcApplies } from '../../src/container/runc-model.js';
import type { Policy } from '../../src/generator/policy/types.js';

const ENOSYS = 0x50026;
const KILL = 0x80000000;

const policy: Policy = {
  defaultAction: { kind: 'kill-process' },
  arches: ['x86_64'],
  rules: {
    x86_64: [
      { syscall: 'openat', nr: 257, action: { kind: 'allow' }, conditions: [] },
      { syscall: 'listns', nr: 470, action: { kind: 'errno', errno: 38 }, conditions: [] },
    ],
  },
};
const decide = (d: ReturnType<typeof runcApplies>, nr: number) =>
  d.decide({ auditArch: AUDIT_ARCH.x86_64, nr, args: [] });

describe('runc applying a profile', () => {
  it('answers ENOSYS above the highest name it knows, and skips the rules of names it does not', () => {
    const all = runcApplies(policy);
    expect([decide(all, 257), decide(all, 300), decide(all, 470), decide(all, 471)]).toEqual([
      0x7fff0000,
      KILL,
      ENOSYS,
      ENOSYS,
    ]);
    // A libseccomp without listns: the highest name is openat (257), so 300 gets the stub too.
    const old = runcApplies(policy, (_arch, name) => name !== 'listns');
    expect([decide(old, 257), decide(old, 256), decide(old, 300), decide(old, 470)]).toEqual([
      0x7fff0000,
      KILL,
      ENOSYS,
      ENOSYS,
    ]);
  });
});
