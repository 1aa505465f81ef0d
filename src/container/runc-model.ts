// How runc (with libseccomp) applies a Docker/OCI profile, as far as what it decides changes:
// - ABIs the profile does not list get libseccomp's bad-arch action, SCMP_ACT_KILL (kill-thread),
//   where our Policy IR kills the process;
// - runc prepends a stub that answers -ENOSYS for every number above the highest one the profile
//   names on that ABI (so glibc falls back on newer syscalls), unless the default action lets calls
//   run or is already ENOSYS (libcontainer/seccomp/patchbpf, runc 1.0+).
// Measured on this machine: runc 1.1.5 under docker 20.10 (test/container/engines.e2e.test.ts).

import { errnoNumber } from '../arch/errno.js';
import { type Arch, AUDIT_ARCH, archOf, X32_SYSCALL_BIT } from '../arch/index.js';
import { returnValue } from '../arch/seccomp.js';
import type { Policy } from '../generator/policy/types.js';
import { type Decider, policyDecider } from '../generator/seccomp/compare.js';

const ENOSYS = errnoNumber('ENOSYS')!;

/** What runc installs for `policy`, as a Decider. */
export function runcApplies(policy: Policy): Decider {
  const inner = policyDecider(policy);
  const def = policy.defaultAction;
  const stub =
    !(def.kind === 'allow' || def.kind === 'log' || def.kind === 'trace') &&
    !(def.kind === 'errno' && def.errno === ENOSYS);
  const highest = new Map<Arch, number>();
  for (const arch of policy.arches) {
    const nrs = (policy.rules[arch] ?? []).map(
      (r) => (arch === 'x32' ? r.nr & ~X32_SYSCALL_BIT : r.nr) >>> 0,
    );
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
