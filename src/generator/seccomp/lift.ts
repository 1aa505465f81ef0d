// A lossy lift of a raw filter back to the Policy IR (raw BPF as an input format).
import { type Arch, syscallName } from '../../arch/index.js';
import type { Instruction } from '../bpf/types.js';
import {
  type Action,
  actionFromValue,
  type Condition,
  type Policy,
  type Rule,
  sameAction,
} from '../policy/types.js';
import { explore, FREE, knownWords, U32, type WordFacts } from './explore.js';
import { summarizeProgram } from './summarize.js';

/** The disjoint intervals a word may take: [min, max] without the excluded points. */
function intervals(f: WordFacts): [number, number][] {
  const out: [number, number][] = [];
  let from = f.min;
  for (const n of [...new Set(f.ne)].sort((a, b) => a - b)) {
    if (n < from || n > f.max) continue;
    if (n > from) out.push([from, n - 1]);
    from = n + 1;
  }
  if (from <= f.max) out.push([from, f.max]);
  return out;
}

/** Alternatives (ORed) of conditions (ANDed) equivalent to one path's facts, if expressible. */
function conditionsOf(facts: ReadonlyMap<number, WordFacts>, arch: Arch): Condition[][] | undefined {
  let alternatives: Condition[][] = [[]];
  const shift = (v: number): bigint => BigInt(v) << 32n;
  for (let i = 0; i < 6; i++) {
    const arg = i as Condition['arg'];
    const lo = facts.get(16 + 8 * i) ?? FREE;
    const hi = arch === 'i386' ? FREE : (facts.get(20 + 8 * i) ?? FREE);
    const common: Condition[] = [];
    for (const { m, v, eq } of lo.masks) {
      if (!eq) return undefined;
      common.push({ arg, op: 'MASKED_EQ', value: BigInt(m), valueTwo: BigInt(v) });
    }
    for (const { m, v, eq } of hi.masks) {
      if (!eq) return undefined;
      common.push({ arg, op: 'MASKED_EQ', value: shift(m), valueTwo: shift(v) });
    }
    const options: Condition[][] = [];
    for (const [hMin, hMax] of intervals(hi)) {
      for (const [lMin, lMax] of intervals(lo)) {
        const c: Condition[] = [...common];
        const loFull = lMin === 0 && lMax === U32;
        if (arch === 'i386' || hMin === hMax) {
          const h = arch === 'i386' ? 0n : shift(hMin);
          const top = arch === 'i386' ? 0xffffffffn : (1n << 64n) - 1n;
          const [from, to] = [h | BigInt(lMin), h | BigInt(lMax)];
          if (from > 0n) c.push({ arg, op: 'GE', value: from });
          if (to < top) c.push({ arg, op: 'LE', value: to });
        } else if (loFull) {
          if (hMin > 0) c.push({ arg, op: 'GE', value: shift(hMin) });
          if (hMax < U32) c.push({ arg, op: 'LE', value: shift(hMax) | 0xffffffffn });
        } else if (hMin === 0 && hMax === U32 && lMin === lMax) {
          c.push({ arg, op: 'MASKED_EQ', value: 0xffffffffn, valueTwo: BigInt(lMin) });
        } else {
          return undefined;
        }
        options.push(c);
      }
    }
    const next: Condition[][] = [];
    for (const alt of alternatives) for (const o of options) next.push([...alt, ...o]);
    if (next.length > 64) return undefined;
    alternatives = next;
  }
  return alternatives;
}

/**
 * A Policy that approximates `p` on `arches` (lossy): unconditional actions are exact; argument
 * checks are lifted path by path when they are plain comparisons, else the syscall gets an
 * unconditional rule with its most permissive possible action (listed in provenance.options).
 */
export function policyFromProgram(p: readonly Instruction[], arches: readonly Arch[]): Policy {
  const summary = summarizeProgram(p, arches);
  const defaultAction: Action = summary.defaultAction ?? { kind: 'kill-process' };
  const rules: Partial<Record<Arch, Rule[]>> = {};
  const kept: Arch[] = [];
  const approximated: string[] = [];
  const killAll = (arch: Arch): boolean =>
    [...(summary.arches[arch]?.values() ?? [])].every(
      (a) => a !== 'conditional' && a.kind === 'kill-process',
    ) && defaultAction.kind !== 'kill-process';
  for (const arch of arches) {
    if (killAll(arch)) continue;
    kept.push(arch);
    const list: Rule[] = [];
    for (const [nr, outcome] of summary.arches[arch] ?? []) {
      const syscall = syscallName(arch, nr) ?? `syscall_${nr}`;
      if (outcome !== 'conditional') {
        if (!sameAction(outcome, defaultAction)) list.push({ syscall, nr, action: outcome, conditions: [] });
        continue;
      }
      const leaves = explore(p, knownWords(arch, nr));
      const lifted: Rule[] = [];
      let exact = leaves !== undefined;
      for (const leaf of leaves ?? []) {
        const action =
          leaf.value === undefined ? undefined : (actionFromValue(leaf.value) ?? { kind: 'kill-process' });
        if (!leaf.exact || action === undefined) {
          exact = false;
          break;
        }
        if (sameAction(action, defaultAction)) continue;
        const alternatives = conditionsOf(leaf.facts, arch);
        if (alternatives === undefined) {
          exact = false;
          break;
        }
        for (const conditions of alternatives) lifted.push({ syscall, nr, action, conditions });
      }
      if (exact) {
        list.push(...lifted);
      } else {
        approximated.push(`${arch}:${syscall}`);
        const values = (leaves ?? []).map((l) => l.value).filter((v): v is number => v !== undefined);
        // Most permissive = highest SECCOMP_RET action value (ALLOW > LOG > TRACE > … > KILL).
        const permissive = values.sort((a, b) => (b & 0xffff0000) - (a & 0xffff0000))[0];
        list.push({
          syscall,
          nr,
          action: actionFromValue(permissive ?? 0x7fff0000) ?? { kind: 'allow' },
          conditions: [],
        });
      }
    }
    rules[arch] = list;
  }
  return {
    defaultAction,
    arches: kept,
    rules,
    provenance: {
      tool: 'seccomp-profiler (lifted from BPF)',
      sources: [],
      options: approximated.length > 0 ? { approximated: approximated.join(',') } : {},
    },
  };
}
