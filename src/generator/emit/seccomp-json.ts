// Policy → the seccomp object Docker/Moby, OCI and security-profiles-operator share.
import { type Arch, syscallNumber } from '../../arch/index.js';
import { SCMP_ARCH } from '../../arch/scmp.js';
import { actionFact } from '../../arch/seccomp.js';
import { ProfilerError } from '../../errors.js';
import { SCMP_CMP } from '../policy/scmp-ops.js';
import type { Action, Condition, Policy } from '../policy/types.js';

export interface ScmpArg {
  index: number;
  value: bigint | number;
  valueTwo: bigint | number;
  op: string;
}
export interface ScmpSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: ScmpArg[];
}
export interface ScmpProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: ScmpSyscall[];
}

/** SCMP_ACT_* name and errnoRet of an action (runc reads errnoRet for ERRNO and TRACE). */
export function scmpAction(action: Action): { action: string; errnoRet?: number } {
  const name = actionFact(action.kind).scmp;
  if (action.kind === 'errno') return { action: name, errnoRet: action.errno };
  if (action.kind === 'trace' && action.data !== undefined) return { action: name, errnoRet: action.data };
  return { action: name };
}

function small(v: bigint): bigint | number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function scmpArgs(conds: readonly Condition[]): ScmpArg[] {
  return conds.map((c) => ({
    index: c.arg,
    value: small(c.value),
    valueTwo: small(c.op === 'MASKED_EQ' ? (c.valueTwo ?? 0n) : 0n),
    op: SCMP_CMP[c.op],
  }));
}

/**
 * What a by-name format (Docker/OCI/k8s/systemd) widens: syscalls the policy allows on some of its
 * ABIs but not on others that have them. Those formats apply every name to every ABI.
 */
export function widenedByName(policy: Policy): string[] {
  const notes: string[] = [];
  const named = new Map<Arch, Set<string>>(
    policy.arches.map((a) => [a, new Set((policy.rules[a] ?? []).map((r) => r.syscall))]),
  );
  for (const arch of policy.arches) {
    const extra = new Set<string>();
    for (const [other, names] of named)
      if (other !== arch)
        for (const n of names)
          if (!named.get(arch)!.has(n) && syscallNumber(arch, n) !== undefined) extra.add(n);
    if (extra.size)
      notes.push(`${arch} also gets rules recorded only on other ABIs: ${[...extra].sort().join(' ')}`);
  }
  return notes;
}

/**
 * The shared seccomp object. Rules become `names` groups with equal action and args; a syscall's
 * rules keep their order. Throws when a rule tests one arg twice: runc would OR those conditions.
 */
export function toScmpProfile(policy: Policy): ScmpProfile {
  const def = scmpAction(policy.defaultAction);
  const entries: { key: string; entry: ScmpSyscall }[] = [];
  const lastIndexOf = new Map<string, number>();
  for (const arch of policy.arches) {
    for (const rule of policy.rules[arch] ?? []) {
      const args = new Set<number>();
      for (const c of rule.conditions) {
        if (args.has(c.arg))
          throw new ProfilerError(
            'BAD_INPUT',
            `the rule for ${rule.syscall} tests arg ${c.arg} twice; Docker/OCI runtimes (runc) would OR those conditions, so this policy has no faithful JSON form (use bpf or libseccomp)`,
          );
        args.add(c.arg);
      }
      const act = scmpAction(rule.action);
      const scmpArgList = scmpArgs(rule.conditions);
      const key = `${act.action}/${act.errnoRet ?? ''}/${scmpArgList.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo}`).join(',')}`;
      const slot = `${arch}/${rule.syscall}`;
      const after = lastIndexOf.get(slot) ?? -1;
      let index = entries.findIndex((e, i) => i >= after && e.key === key);
      if (index < 0) {
        index = entries.length;
        entries.push({
          key,
          entry: {
            names: [],
            action: act.action,
            ...(act.errnoRet !== undefined ? { errnoRet: act.errnoRet } : {}),
            ...(scmpArgList.length ? { args: scmpArgList } : {}),
          },
        });
      }
      const entry = entries[index]!.entry;
      if (!entry.names.includes(rule.syscall)) entry.names.push(rule.syscall);
      lastIndexOf.set(slot, index);
    }
  }
  return {
    defaultAction: def.action,
    ...(def.errnoRet !== undefined ? { defaultErrnoRet: def.errnoRet } : {}),
    architectures: policy.arches.map((a) => SCMP_ARCH[a]),
    syscalls: entries.map((e) => e.entry),
  };
}
