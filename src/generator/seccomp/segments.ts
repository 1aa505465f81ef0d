// From rules to dispatch tables: each syscall number's outcome (rules simplified without changing
// their meaning), and per AUDIT_ARCH token the ranges of numbers with one outcome.
import { type Arch, AUDIT_ARCH, X32_SYSCALL_BIT } from '../../arch/index.js';
import { actionValue, type Condition, type Policy, type Rule } from '../policy/types.js';

export const KILL_PROCESS = actionValue({ kind: 'kill-process' });
const U32 = 0xffffffff;
export const M32 = 0xffffffffn;
export const M64 = (1n << 64n) - 1n;

/** Argument width: i386 has 32-bit arguments, the others 64-bit. */
export type Width = 32 | 64;

/** A rule reduced to its return value and its (non-constant) conditions. */
export interface CondRule {
  readonly value: number;
  readonly conditions: readonly Condition[];
}

/** What a syscall number leads to: a return, or argument checks with a fall-through return. */
export type Outcome =
  | { readonly kind: 'ret'; readonly value: number }
  | {
      readonly kind: 'cond';
      readonly width: Width;
      readonly rules: readonly CondRule[];
      readonly fallthrough: number;
    };

/** A range [lo, hi] of 32-bit syscall numbers with one outcome. */
export interface Segment {
  readonly lo: number;
  readonly hi: number;
  readonly outcome: Outcome;
  readonly key: string;
}

function outcomeKey(o: Outcome): string {
  if (o.kind === 'ret') return `r${o.value}`;
  const rules = o.rules.map(
    (r) => `${r.value}:${r.conditions.map((c) => `${c.arg}${c.op}${c.value}/${c.valueTwo ?? ''}`).join('&')}`,
  );
  return `c${o.width}|${o.fallthrough}|${rules.join('|')}`;
}

/** true/false when `c` holds for every/no argument value at this width, else undefined. */
function constantTruth(c: Condition, width: Width): boolean | undefined {
  const mask = width === 32 ? M32 : M64;
  const v = c.value & mask;
  switch (c.op) {
    case 'GE':
      return v === 0n ? true : undefined;
    case 'LT':
      return v === 0n ? false : undefined;
    case 'LE':
      return v === mask ? true : undefined;
    case 'GT':
      return v === mask ? false : undefined;
    case 'MASKED_EQ': {
      const v2 = (c.valueTwo ?? 0n) & mask;
      if ((v2 & ~v & mask) !== 0n) return false;
      return v === 0n ? true : undefined;
    }
    default:
      return undefined;
  }
}

/** The outcome of one syscall's rules (first match wins), simplified without changing meaning. */
function outcomeOf(rules: readonly Rule[], defaultValue: number, width: Width): Outcome {
  const kept: CondRule[] = [];
  let fallthrough = defaultValue;
  for (const rule of rules) {
    const conditions: Condition[] = [];
    let dead = false;
    for (const c of rule.conditions) {
      const truth = constantTruth(c, width);
      if (truth === false) dead = true;
      if (truth === undefined) conditions.push(c);
    }
    if (dead) continue;
    const value = actionValue(rule.action);
    if (conditions.length === 0) {
      fallthrough = value;
      break;
    }
    kept.push({ value, conditions });
  }
  // A trailing rule that returns what the fall-through returns changes nothing.
  while (kept.length > 0 && kept[kept.length - 1]!.value === fallthrough) kept.pop();
  return kept.length === 0
    ? { kind: 'ret', value: fallthrough }
    : { kind: 'cond', width, rules: kept, fallthrough };
}

/** The background of [lo, hi]: pieces with the default value, or a range's value (policy.ranges). */
function backgroundOf(
  lo: number,
  hi: number,
  arch: Arch,
  policy: Policy,
  defaultValue: number,
): { lo: number; hi: number; value: number }[] {
  const ranges = (policy.ranges?.[arch] ?? [])
    .map((r) => ({
      lo: Math.max(lo, r.lo >>> 0),
      hi: Math.min(hi, r.hi >>> 0),
      value: actionValue(r.action),
    }))
    .filter((r) => r.lo <= r.hi)
    .sort((a, b) => a.lo - b.lo);
  const out: { lo: number; hi: number; value: number }[] = [];
  let next = lo;
  for (const r of ranges) {
    if (r.lo < next) continue; // overlapping ranges: the first one decides (evaluatePolicy agrees)
    if (r.lo > next) out.push({ lo: next, hi: r.lo - 1, value: defaultValue });
    out.push(r);
    next = r.hi + 1;
  }
  if (next <= hi) out.push({ lo: next, hi, value: defaultValue });
  return out;
}

/** Appends segments covering [lo, hi] for `arch`'s rules (or `fixed` for the whole region). */
function addRegion(
  out: Segment[],
  lo: number,
  hi: number,
  arch: Arch,
  policy: Policy,
  fixed: number | undefined,
): void {
  const width: Width = arch === 'i386' ? 32 : 64;
  const byNr = new Map<number, Rule[]>();
  const background =
    fixed === undefined
      ? backgroundOf(lo, hi, arch, policy, actionValue(policy.defaultAction))
      : [{ lo, hi, value: fixed }];
  if (fixed === undefined) {
    for (const rule of policy.rules[arch] ?? []) {
      const nr = rule.nr >>> 0;
      if (nr < lo || nr > hi) continue; // unreachable under this arch (evaluatePolicy agrees)
      let list = byNr.get(nr);
      if (!list) {
        list = [];
        byNr.set(nr, list);
      }
      list.push(rule);
    }
  }
  const push = (from: number, to: number, outcome: Outcome): void => {
    const key = outcomeKey(outcome);
    const last = out[out.length - 1];
    if (last && last.key === key && last.hi + 1 === from) {
      out[out.length - 1] = { ...last, hi: to };
    } else {
      out.push({ lo: from, hi: to, outcome, key });
    }
  };
  /** The background over [from, to], split where ranges begin and end. */
  const fill = (from: number, to: number): void => {
    for (const b of background)
      if (b.hi >= from && b.lo <= to)
        push(Math.max(from, b.lo), Math.min(to, b.hi), { kind: 'ret', value: b.value });
  };
  const valueAt = (nr: number): number => background.find((b) => nr >= b.lo && nr <= b.hi)!.value;
  let next = lo;
  for (const nr of [...byNr.keys()].sort((a, b) => a - b)) {
    if (nr > next) fill(next, nr - 1);
    push(nr, nr, outcomeOf(byNr.get(nr)!, valueAt(nr), width));
    next = nr + 1;
  }
  if (next <= hi) fill(next, hi);
}

/** The dispatch table of one AUDIT_ARCH token: segments covering every 32-bit nr. */
export function segmentsFor(auditArch: number, policy: Policy): Segment[] {
  const has = (a: Arch): boolean => policy.arches.includes(a);
  const out: Segment[] = [];
  if (auditArch === AUDIT_ARCH.x86_64) {
    // x32 calls share the token and set X32_SYSCALL_BIT; nr < 0 (e.g. -1, a skipped call) is x86_64's.
    const x64 = has('x86_64') ? undefined : KILL_PROCESS;
    addRegion(out, 0, X32_SYSCALL_BIT - 1, 'x86_64', policy, x64);
    addRegion(out, X32_SYSCALL_BIT, 0x7fffffff, 'x32', policy, has('x32') ? undefined : KILL_PROCESS);
    addRegion(out, 0x80000000, U32, 'x86_64', policy, x64);
  } else {
    const arch: Arch = auditArch === AUDIT_ARCH.i386 ? 'i386' : 'aarch64';
    addRegion(out, 0, U32, arch, policy, undefined);
  }
  return out;
}
