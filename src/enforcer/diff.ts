// Structural comparison of two Policies: syscalls and argument rules added or removed, per arch.
import type { Arch } from '../arch/index.js';
import { ARCHES } from '../arch/index.js';
import type { Action, Policy, Rule } from '../generator/policy/types.js';
import { sameAction } from '../generator/policy/types.js';
import { seccompReturnName } from '../generator/seccomp/annotate.js';
import type { BehaviourDifference } from '../generator/seccomp/compare.js';
import { describeAction, describeRule } from './describe.js';

/** One syscall present on one side only, with its rules (as text, e.g. `allow if arg0 == 0x2`). */
export interface SyscallDelta {
  readonly syscall: string;
  readonly rules: readonly string[];
}

/** A syscall present on both sides whose rules differ. */
export interface SyscallChange {
  readonly syscall: string;
  readonly addedRules: readonly string[];
  readonly removedRules: readonly string[];
}

export interface ArchDiff {
  readonly added: readonly SyscallDelta[];
  readonly removed: readonly SyscallDelta[];
  readonly changed: readonly SyscallChange[];
}

/** One syscall (and, when arguments decide, one argument vector) the two filters decide differently. */
export interface BehaviourChange {
  readonly arch: Arch;
  readonly syscall: string;
  /** `arg2=0x7`, when the difference depends on the arguments. */
  readonly args?: string;
  readonly from: string;
  readonly to: string;
}

/** What changed from policy A to policy B. `identical` is true when nothing did. */
export interface PolicyDiff {
  readonly identical: boolean;
  /** Set when a raw filter was compared by what it decides rather than rule by rule. */
  readonly behaviour?: readonly BehaviourChange[];
  readonly defaultAction?: { readonly from: string; readonly to: string };
  readonly arches: { readonly added: readonly Arch[]; readonly removed: readonly Arch[] };
  /** Only arches with at least one difference appear. */
  readonly syscalls: Partial<Record<Arch, ArchDiff>>;
}

function rulesBySyscall(rules: readonly Rule[] | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const rule of rules ?? []) {
    const list = map.get(rule.syscall) ?? [];
    const text = describeRule(rule);
    if (!list.includes(text)) list.push(text);
    map.set(rule.syscall, list);
  }
  return map;
}

function diffArch(a: readonly Rule[] | undefined, b: readonly Rule[] | undefined): ArchDiff {
  const before = rulesBySyscall(a);
  const after = rulesBySyscall(b);
  const added: SyscallDelta[] = [];
  const removed: SyscallDelta[] = [];
  const changed: SyscallChange[] = [];
  for (const [syscall, rules] of after) {
    const old = before.get(syscall);
    if (!old) {
      added.push({ syscall, rules });
      continue;
    }
    const addedRules = rules.filter((r) => !old.includes(r));
    const removedRules = old.filter((r) => !rules.includes(r));
    if (addedRules.length || removedRules.length) changed.push({ syscall, addedRules, removedRules });
  }
  for (const [syscall, rules] of before) if (!after.has(syscall)) removed.push({ syscall, rules });
  const byName = (x: { syscall: string }, y: { syscall: string }) => x.syscall.localeCompare(y.syscall);
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName) };
}

function sameDefault(a: Action, b: Action): boolean {
  return sameAction(a, b);
}

/** Compares two policies rule by rule (rule order within a syscall is ignored). */
export function diffPolicies(a: Policy, b: Policy): PolicyDiff {
  const syscalls: Partial<Record<Arch, ArchDiff>> = {};
  for (const arch of ARCHES) {
    if (!a.arches.includes(arch) && !b.arches.includes(arch)) continue;
    const d = diffArch(
      a.arches.includes(arch) ? a.rules[arch] : [],
      b.arches.includes(arch) ? b.rules[arch] : [],
    );
    if (d.added.length || d.removed.length || d.changed.length) syscalls[arch] = d;
  }
  const arches = {
    added: b.arches.filter((x) => !a.arches.includes(x)),
    removed: a.arches.filter((x) => !b.arches.includes(x)),
  };
  const defaultAction = sameDefault(a.defaultAction, b.defaultAction)
    ? undefined
    : { from: describeAction(a.defaultAction), to: describeAction(b.defaultAction) };
  const identical =
    defaultAction === undefined &&
    arches.added.length === 0 &&
    arches.removed.length === 0 &&
    Object.keys(syscalls).length === 0;
  return defaultAction ? { identical, defaultAction, arches, syscalls } : { identical, arches, syscalls };
}

/** A diff made by comparing what two filters decide (see behaviourDifferences). */
export function behaviourDiff(differences: readonly BehaviourDifference[]): PolicyDiff {
  const behaviour = differences.map((d) => {
    const args = d.args
      ?.map((v, i) => (v === 0n ? undefined : `arg${i}=0x${v.toString(16)}`))
      .filter((x) => x !== undefined)
      .join(', ');
    const change = {
      arch: d.arch,
      syscall: d.syscall,
      from: seccompReturnName(d.left),
      to: seccompReturnName(d.right),
    };
    return args ? { ...change, args } : change;
  });
  return { identical: behaviour.length === 0, behaviour, arches: { added: [], removed: [] }, syscalls: {} };
}

/** The diff as short text: `+ name  rule`, `- name  rule`, `~ name  +rule -rule`, grouped by arch. */
export function formatDiff(diff: PolicyDiff, labels: { a: string; b: string }): string {
  if (diff.identical && diff.behaviour)
    return `${labels.a} and ${labels.b} decide every syscall the same way\n`;
  if (diff.identical) return `${labels.a} and ${labels.b} allow the same syscalls with the same rules\n`;
  const lines: string[] = [`--- ${labels.a}`, `+++ ${labels.b}`];
  for (const c of diff.behaviour ?? [])
    lines.push(`~ ${c.arch} ${c.syscall}${c.args ? ` (${c.args})` : ''}: ${c.from} → ${c.to}`);
  if (diff.defaultAction) lines.push(`default action: ${diff.defaultAction.from} → ${diff.defaultAction.to}`);
  for (const arch of diff.arches.added) lines.push(`+ arch ${arch}`);
  for (const arch of diff.arches.removed) lines.push(`- arch ${arch}`);
  for (const [arch, d] of Object.entries(diff.syscalls) as [Arch, ArchDiff][]) {
    const width = Math.max(...[...d.added, ...d.removed, ...d.changed].map((x) => x.syscall.length));
    lines.push(`${arch}: +${d.added.length} -${d.removed.length} ~${d.changed.length}`);
    for (const x of d.added) lines.push(`  + ${x.syscall.padEnd(width)}  ${x.rules.join(' | ')}`);
    for (const x of d.removed) lines.push(`  - ${x.syscall.padEnd(width)}  ${x.rules.join(' | ')}`);
    for (const x of d.changed) {
      const parts = [...x.addedRules.map((r) => `+(${r})`), ...x.removedRules.map((r) => `-(${r})`)];
      lines.push(`  ~ ${x.syscall.padEnd(width)}  ${parts.join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
