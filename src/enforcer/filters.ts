// The policies the enforcer actually installs, derived from the profile's policy.
import { nativeArch, reachableArches } from '../arch/index.js';
import type { Action, Policy, Rule } from '../generator/policy/types.js';

const TRACE: Action = { kind: 'trace' };

function blocks(action: Action): boolean {
  return action.kind === 'kill-process' || action.kind === 'kill-thread' || action.kind === 'trap';
}

/**
 * The profile with every blocking outcome turned into SECCOMP_RET_TRACE: the default action,
 * kill/trap rules, and the ABIs the profile leaves out (so an int 0x80 call is reported, not fatal).
 * Allowed syscalls stay allowed in-kernel and cost nothing; errno rules stay as written.
 */
export function tracingPolicy(policy: Policy): Policy {
  const arches = [...policy.arches];
  for (const arch of reachableArches(nativeArch())) if (!arches.includes(arch)) arches.push(arch);
  const rules: Partial<Record<(typeof arches)[number], readonly Rule[]>> = {};
  for (const arch of arches) {
    rules[arch] = (policy.rules[arch] ?? []).map((r) => (blocks(r.action) ? { ...r, action: TRACE } : r));
  }
  return { ...policy, defaultAction: TRACE, arches, rules };
}

/**
 * What `enforce` installs. The real filter, except that an errno default becomes RET_TRACE and the
 * tracer answers each stop with that same errno: the workload sees exactly what the profile would
 * give it, and we learn which syscalls were refused. Per-syscall errno rules stay in-kernel.
 */
export function enforcingPolicy(policy: Policy): { policy: Policy; errno?: number } {
  if (policy.defaultAction.kind !== 'errno') return { policy };
  return { policy: { ...policy, defaultAction: TRACE }, errno: policy.defaultAction.errno };
}
