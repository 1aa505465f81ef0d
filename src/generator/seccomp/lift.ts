// A lossy lift of a raw filter back to the Policy IR (raw BPF as an input format).
import { type Arch, syscallName } from '../../arch/index.js';
import { permissiveness, returnValue } from '../../arch/seccomp.js';
import type { Instruction } from '../bpf/types.js';
import {
  type Action,
  actionFromValue,
  type Condition,
  type NumberRange,
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

/** Every value with only bits of `mask` set, when it has at most 4 bits; else an empty list. */
function subsetsOf(mask: number): number[] {
  const bits = [...Array(32).keys()].filter((b) => ((mask >>> b) & 1) === 1);
  if (bits.length > 4) return [];
  return [...Array(1 << bits.length).keys()].map((i) =>
    bits.reduce((w, b, j) => (((i >> j) & 1) === 1 ? (w | (1 << b)) >>> 0 : w), 0),
  );
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
    // `(word & m) != v` has no condition of its own; for a mask of a few bits it is the OR of
    // `(word & m) == w` over the other values w (W^X: prot & 6 is 0, 2 or 4, never 6).
    let masked: Condition[][] = [[]];
    for (const [word, place] of [
      [lo, (v: number) => BigInt(v)],
      [hi, shift],
    ] as const) {
      for (const { m, v, eq } of word.masks) {
        if (eq) {
          common.push({ arg, op: 'MASKED_EQ', value: place(m), valueTwo: place(v) });
          continue;
        }
        // Beside `(word & m) == v2` on the same path, `!= v` is implied (v2 != v) or impossible.
        const same = word.masks.find((o) => o.eq && o.m === m);
        if (same) {
          if (same.v === v) return [];
          continue;
        }
        const others = subsetsOf(m).filter((w) => w !== v);
        if (others === undefined || others.length === 0) return undefined;
        masked = masked.flatMap((alt) =>
          others.map((w) => [...alt, { arg, op: 'MASKED_EQ', value: place(m), valueTwo: place(w) } as const]),
        );
        if (masked.length > 16) return undefined;
      }
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
        for (const m of masked) options.push([...c, ...m]);
      }
    }
    const next: Condition[][] = [];
    for (const alt of alternatives) for (const o of options) next.push([...alt, ...o]);
    if (next.length > 64) return undefined;
    alternatives = next;
  }
  return alternatives;
}

/** The values of one argument `conditions` allow, when they are range tests on one argument. */
function intervalOf(
  conditions: readonly Condition[],
  max: bigint,
): { arg: number; lo: bigint; hi: bigint } | undefined {
  let arg: number | undefined;
  let lo = 0n;
  let hi = max;
  for (const c of conditions) {
    if (arg !== undefined && c.arg !== arg) return undefined;
    arg = c.arg;
    const v = c.value & max;
    if (c.op === 'GE') lo = v > lo ? v : lo;
    else if (c.op === 'LE') hi = v < hi ? v : hi;
    else if (c.op === 'EQ') [lo, hi] = [v > lo ? v : lo, v < hi ? v : hi];
    else return undefined;
  }
  return arg === undefined ? undefined : { arg, lo, hi };
}

/**
 * Paths through a decision tree are disjoint, so the lifted rules of one action may be merged:
 * range rules on one argument become the fewest plain conditions (`arg != 40` rather than three
 * ranges), which also keeps them expressible in Docker/OCI JSON.
 */
function mergeIntervals(rules: readonly Rule[], max: bigint): Rule[] {
  const byAction = new Map<string, Rule[]>();
  for (const r of rules) {
    const key = JSON.stringify(r.action);
    byAction.set(key, [...(byAction.get(key) ?? []), r]);
  }
  const out: Rule[] = [];
  for (const group of byAction.values()) {
    const ranges = group.map((r) => intervalOf(r.conditions, max));
    const arg = ranges[0]?.arg;
    if (group.length < 2 || ranges.some((x) => x === undefined || x.arg !== arg)) {
      out.push(...group);
      continue;
    }
    const sorted = (ranges as { arg: number; lo: bigint; hi: bigint }[]).sort((a, b) =>
      a.lo < b.lo ? -1 : 1,
    );
    const merged: [bigint, bigint][] = [];
    for (const { lo, hi } of sorted) {
      const last = merged[merged.length - 1];
      if (last && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
      else merged.push([lo, hi]);
    }
    const a = arg as Condition['arg'];
    const base = { syscall: group[0]!.syscall, nr: group[0]!.nr, action: group[0]!.action };
    const [first, second] = merged;
    if (merged.length === 2 && first![0] === 0n && second![1] === max && second![0] === first![1] + 2n) {
      out.push({ ...base, conditions: [{ arg: a, op: 'NE', value: first![1] + 1n }] });
      continue;
    }
    for (const [lo, hi] of merged) {
      const conditions: Condition[] =
        lo === hi
          ? [{ arg: a, op: 'EQ', value: lo }]
          : [
              ...(lo > 0n ? [{ arg: a, op: 'GE' as const, value: lo }] : []),
              ...(hi < max ? [{ arg: a, op: 'LE' as const, value: hi }] : []),
            ];
      out.push({ ...base, conditions });
    }
  }
  return out;
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
  const ranges: Partial<Record<Arch, NumberRange[]>> = {};
  const kept: Arch[] = [];
  const approximated: string[] = [];
  // An ABI on which every call is killed is one the policy does not list (unlisted ABIs are killed).
  const killAll = (arch: Arch): boolean =>
    [...(summary.arches[arch]?.values() ?? [])].every(
      (a) => a !== 'conditional' && a.kind === 'kill-process',
    );
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
        list.push(...mergeIntervals(lifted, arch === 'i386' ? 0xffffffffn : (1n << 64n) - 1n));
      } else {
        approximated.push(`${arch}:${syscall}`);
        const values = (leaves ?? []).map((l) => l.value).filter((v): v is number => v !== undefined);
        // Most permissive = highest SECCOMP_RET action value (ALLOW > LOG > TRACE > … > KILL).
        const permissive = values.sort((a, b) => permissiveness(b) - permissiveness(a))[0];
        list.push({
          syscall,
          nr,
          action: actionFromValue(permissive ?? returnValue('allow')) ?? { kind: 'allow' },
          conditions: [],
        });
      }
    }
    rules[arch] = list;
    const runs: NumberRange[] = [];
    for (const run of summary.ranges[arch] ?? []) {
      // A run of numbers whose arguments decide is rare (no compiler we know makes one): left out.
      if (run.outcome === 'conditional') approximated.push(`${arch}:${run.lo}-${run.hi}`);
      else runs.push({ lo: run.lo, hi: run.hi, action: run.outcome });
    }
    if (runs.length) ranges[arch] = runs;
  }
  return {
    defaultAction,
    arches: kept,
    rules,
    ...(Object.keys(ranges).length ? { ranges } : {}),
    provenance: {
      tool: 'seccomp-profiler (lifted from BPF)',
      sources: [],
      options: approximated.length > 0 ? { approximated: approximated.join(',') } : {},
    },
  };
}
