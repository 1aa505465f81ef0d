// How runc (with libseccomp) applies a Docker/OCI profile, as far as what it decides changes:
// - ABIs the profile does not list get libseccomp's bad-arch action, SCMP_ACT_KILL (kill-thread),
//   where our Policy IR kills the process;
// - runc prepends a stub that answers -ENOSYS for every number above the highest one the profile
//   names on that ABI (so glibc falls back on newer syscalls), unless the default action lets calls
//   run or is already ENOSYS (libcontainer/seccomp/patchbpf, runc 1.0+);
// - names its libseccomp does not know are skipped: their rules are not in the filter, and they do
//   not count for the highest number (patchbpf's findLastSyscalls ignores them too).
// Measured on this machine: runc 1.1.5 under docker 20.10 (test/container/engines.e2e.test.ts).

import { errnoNumber } from '../arch/errno.js';
import { type Arch, AUDIT_ARCH, archOf, X32_SYSCALL_BIT } from '../arch/index.js';
import { returnValue } from '../arch/seccomp.js';
import type { Policy } from '../generator/policy/types.js';
import { type Decider, policyDecider } from '../generator/seccomp/compare.js';

const ENOSYS = errnoNumber('ENOSYS')!;

/**
 * What runc installs for `policy`, as a Decider. `knows` says which names runc's libseccomp resolves
 * (src/consumers: the library it links, or its version's table); by default every name.
 */
export function runcApplies(
  policy: Policy,
  knows: (arch: Arch, name: string) => boolean | undefined = () => true,
): Decider {
  const known: Policy = {
    ...policy,
    rules: Object.fromEntries(
      Object.entries(policy.rules).map(([arch, rules]) => [
        arch,
        (rules ?? []).filter((r) => knows(arch as Arch, r.syscall) !== false),
      ]),
    ),
  };
  const inner = policyDecider(known);
  const def = policy.defaultAction;
  const stub =
    !(def.kind === 'allow' || def.kind === 'log' || def.kind === 'trace') &&
    !(def.kind === 'errno' && def.errno === ENOSYS);
  const highest = new Map<Arch, number>();
  for (const arch of policy.arches) {
    const nrs = (known.rules[arch] ?? []).map((r) => (arch === 'x32' ? r.nr & ~X32_SYSCALL_BIT : r.nr) >>> 0);
    if (nrs.length) highest.set(arch, Math.max(...nrs));
  }
  return {
    decide(input) {
      const arch = archOf(input.auditArch, input.nr);
      if (arch === undefined || !policy.arches.includes(arch)) return returnValue('kill-thread');
      // The stub tells x32 from x86_64 by bit 30 alone, so nr -1 goes to x32's section.
      const stubArch =
        input.auditArch === AUDIT_ARCH.x86_64 && (input.nr & X32_SYSCALL_BIT) !== 0 ? 'x32' : arch;
      const top = highest.get(stubArch);
      const nr = (stubArch === 'x32' ? input.nr & ~X32_SYSCALL_BIT : input.nr) >>> 0;
      if (stub && top !== undefined && nr > top) return returnValue('errno', ENOSYS);
      return inner.decide(input);
    },
    dependsOnArgs: inner.dependsOnArgs,
    constants: inner.constants,
  };
}
