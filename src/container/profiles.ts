// The seccomp profiles a session hands the container (Docker JSON; podman reads the same format).
import { syscallNames } from '../arch/index.js';
import { tracingPolicy } from '../enforcer/filters.js';
import { emitPolicy } from '../generator/emit/index.js';
import type { Policy } from '../generator/policy/types.js';

/**
 * RET_TRACE for every syscall, with `marker` as data, so the recorder can tell the calls made under
 * the container's filter from those before it. Docker 20.10 drops `defaultErrnoRet`, so the marker
 * rides on one rule naming every syscall (per-rule `errnoRet` passes through); the default returns
 * RET_TRACE with data 0 for numbers no table names. Runtimes skip names their libseccomp lacks.
 */
export function markerProfile(marker: number): string {
  const names = [
    ...new Set([...syscallNames('x86_64'), ...syscallNames('i386'), ...syscallNames('x32')]),
  ].sort();
  return JSON.stringify({
    defaultAction: 'SCMP_ACT_TRACE',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names, action: 'SCMP_ACT_TRACE', errnoRet: marker }],
  });
}

/**
 * `policy` with every blocking outcome turned into RET_TRACE (what `check` does on the host): allowed
 * calls run in-kernel, anything else stops in the recorder, whose own filter allows everything, so
 * every stop it sees is drift.
 */
export function checkingProfile(policy: Policy): string {
  return emitPolicy(tracingPolicy(policy), 'docker') as string;
}
