// The filters the enforcer actually installs, derived from a profile: its policy compiled, or a raw
// filter's own program with only its return values rewritten (never a recompiled lift of it).
import { nativeArch, reachableArches } from '../arch/index.js';
import type { ValidatedProgram } from '../generator/bpf/types.js';
import {
  type Action,
  actionFromValue,
  actionValue,
  isPermissive,
  type Policy,
  type Rule,
} from '../generator/policy/types.js';
import { compilePolicy } from '../generator/seccomp/compile.js';
import { mapReturns } from '../generator/seccomp/rewrite.js';
import type { LoadedProfile } from './profile.js';

const TRACE: Action = { kind: 'trace' };

function blocks(action: Action): boolean {
  return action.kind === 'kill-process' || action.kind === 'kill-thread' || action.kind === 'trap';
}

/**
 * The profile with every blocking outcome turned into SECCOMP_RET_TRACE: the default action (unless
 * it lets calls run), kill/trap rules, and the ABIs the profile leaves out (so an int 0x80 call is reported, not fatal).
 * Allowed syscalls stay allowed in-kernel and cost nothing; errno rules stay as written.
 */
export function tracingPolicy(policy: Policy): Policy {
  const arches = [...policy.arches];
  for (const arch of reachableArches(nativeArch())) if (!arches.includes(arch)) arches.push(arch);
  const rules: Partial<Record<(typeof arches)[number], readonly Rule[]>> = {};
  for (const arch of arches) {
    rules[arch] = (policy.rules[arch] ?? []).map((r) => (blocks(r.action) ? { ...r, action: TRACE } : r));
  }
  // A default that lets calls run (an allow-all or log profile) blocks nothing: it stays.
  const defaultAction = isPermissive(policy.defaultAction) ? policy.defaultAction : TRACE;
  return { ...policy, defaultAction, arches, rules };
}

/**
 * What complain mode and `check` install: tracingPolicy compiled, or for a raw filter its own
 * program with the same outcomes (blocking returns, and its default errno) returning RET_TRACE.
 */
export function tracingFilter(profile: LoadedProfile): ValidatedProgram {
  if (!profile.program) return compilePolicy(tracingPolicy(profile.policy));
  const def = profile.policy.defaultAction;
  const defaultValue = isPermissive(def) ? undefined : actionValue(def);
  const trace = actionValue(TRACE);
  return mapReturns(profile.program, (v) => {
    const action = actionFromValue(v);
    return v === defaultValue || (action !== undefined && blocks(action)) ? trace : v;
  });
}

/**
 * What `enforce` installs, and the errno the tracer answers each RET_TRACE stop with. The real
 * filter, except that an errno default becomes RET_TRACE answered with that same errno: the workload
 * sees exactly what the profile would give it, and we learn which syscalls were refused. Per-syscall
 * errno rules stay in-kernel. A raw filter without an errno default is installed byte for byte.
 */
export function enforcingFilter(profile: LoadedProfile): { filter: ValidatedProgram; errno?: number } {
  const def = profile.policy.defaultAction;
  if (profile.program) {
    if (def.kind !== 'errno') return { filter: profile.program };
    const defaultValue = actionValue(def);
    const trace = actionValue(TRACE);
    return {
      filter: mapReturns(profile.program, (v) => (v === defaultValue ? trace : v)),
      errno: def.errno,
    };
  }
  if (def.kind !== 'errno') return { filter: compilePolicy(profile.policy) };
  return {
    filter: compilePolicy({ ...profile.policy, defaultAction: TRACE }),
    errno: def.errno,
  };
}
