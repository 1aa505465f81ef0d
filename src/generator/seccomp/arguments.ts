// Argument checks: a syscall's rules in order (first match wins), each a conjunction of 64-bit
// (i386: 32-bit) comparisons done as 32-bit halves, high word first.
import type { Label, ProgramBuilder, Target } from '../bpf/builder.js';
import { ABS, ALU, AND, JEQ, JGE, JGT, JMP, JSET, K, LD, W } from '../bpf/types.js';
import type { Condition } from '../policy/types.js';
import { argOffset } from './data.js';
import { type CondRule, M32, M64, type Outcome, type Width } from './segments.js';

const U32 = 0xffffffff;

/**
 * Emits the checks of a conditional outcome at the current position: each rule's conditions, a
 * jump to `ret(value)` of the first rule that holds, else to `ret(fallthrough)`.
 */
export function emitArgumentChecks(
  b: ProgramBuilder,
  outcome: Outcome & { kind: 'cond' },
  ret: (value: number) => Label,
): void {
  const steps = groupEqualitySets(outcome.rules);
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const fail = last ? ret(outcome.fallthrough) : b.label('rule');
    if (step.kind === 'set') {
      emitEqualitySet(b, step.arg, step.values, outcome.width, ret(step.value), fail);
    } else {
      step.rule.conditions.forEach((c, j) => {
        // Not 'next': inside emitCondition that means its own next instruction.
        const lastCondition = j === step.rule.conditions.length - 1;
        const pass = lastCondition ? ret(step.rule.value) : b.label('cond');
        emitCondition(b, c, outcome.width, pass, fail);
        if (!lastCondition) b.bind(pass);
      });
    }
    if (!last) b.bind(fail as Label);
  });
}

/** A rule, or consecutive rules `arg == v1 || arg == v2 || …` with one action (order-free). */
type Step =
  | { readonly kind: 'rule'; readonly rule: CondRule }
  | {
      readonly kind: 'set';
      readonly arg: number;
      readonly values: readonly bigint[];
      readonly value: number;
    };

function groupEqualitySets(rules: readonly CondRule[]): Step[] {
  const steps: Step[] = [];
  const single = (r: CondRule): Condition | undefined =>
    r.conditions.length === 1 && r.conditions[0]!.op === 'EQ' ? r.conditions[0] : undefined;
  for (let i = 0; i < rules.length; ) {
    const first = single(rules[i]!);
    let j = i + 1;
    if (first) {
      while (j < rules.length) {
        const c = single(rules[j]!);
        if (!c || c.arg !== first.arg || rules[j]!.value !== rules[i]!.value) break;
        j++;
      }
    }
    if (first && j - i >= 2) {
      const values = rules.slice(i, j).map((r) => r.conditions[0]!.value);
      steps.push({ kind: 'set', arg: first.arg, values, value: rules[i]!.value });
    } else {
      steps.push({ kind: 'rule', rule: rules[i]! });
      j = i + 1;
    }
    i = j;
  }
  return steps;
}

/** `arg` equals one of `values`: per distinct high word, one high test and the low tests. */
function emitEqualitySet(
  b: ProgramBuilder,
  arg: number,
  values: readonly bigint[],
  width: Width,
  pass: Target,
  fail: Target,
): void {
  const byHigh = new Map<number, number[]>();
  for (const v of values) {
    const masked = v & (width === 32 ? M32 : M64);
    const hi = width === 32 ? 0 : Number(masked >> 32n);
    const lo = Number(masked & M32);
    const list = byHigh.get(hi) ?? [];
    if (!list.includes(lo)) list.push(lo);
    byHigh.set(hi, list);
  }
  const groups = [...byHigh];
  groups.forEach(([hi, los], g) => {
    const lastGroup = g === groups.length - 1;
    const miss = lastGroup ? fail : b.label('high');
    if (width === 64) {
      b.stmt(LD | W | ABS, argOffset(arg, true));
      b.jump(JMP | JEQ | K, hi, 'next', miss);
    }
    b.stmt(LD | W | ABS, argOffset(arg, false));
    los.forEach((lo, i) => {
      b.jump(JMP | JEQ | K, lo, pass, i === los.length - 1 ? miss : 'next');
    });
    if (!lastGroup) b.bind(miss as Label);
  });
}

/** Emits the checks of one condition: control reaches `pass` when it holds, else `fail`. */
export function emitCondition(
  b: ProgramBuilder,
  c: Condition,
  width: Width,
  pass: Target,
  fail: Target,
): void {
  const ld = (high: boolean): void => {
    b.stmt(LD | W | ABS, argOffset(c.arg, high));
  };
  const jeq = (k: number, t: Target, f: Target): void => {
    b.jump(JMP | JEQ | K, k, t, f);
  };
  const jgt = (k: number, t: Target, f: Target): void => {
    b.jump(JMP | JGT | K, k, t, f);
  };
  const jge = (k: number, t: Target, f: Target): void => {
    b.jump(JMP | JGE | K, k, t, f);
  };
  const mask = width === 32 ? M32 : M64;
  const v = c.value & mask;
  const hi = Number(v >> 32n);
  const lo = Number(v & M32);
  // (word & m) == want, on one half.
  const maskedHalf = (high: boolean, m: number, want: number, t: Target, f: Target): void => {
    ld(high);
    if (want === 0) {
      b.jump(JMP | JSET | K, m, f, t);
      return;
    }
    if (want === m && (m & (m - 1)) === 0) {
      b.jump(JMP | JSET | K, m, t, f);
      return;
    }
    if (m !== U32) b.stmt(ALU | AND | K, m);
    jeq(want, t, f);
  };
  if (c.op === 'MASKED_EQ') {
    const v2 = (c.valueTwo ?? 0n) & mask;
    const [mHi, mLo] = [Number(v >> 32n), Number(v & M32)];
    const [wHi, wLo] = [Number(v2 >> 32n), Number(v2 & M32)];
    const doLo = mLo !== 0;
    if (width === 64 && mHi !== 0) maskedHalf(true, mHi, wHi, doLo ? 'next' : pass, fail);
    if (doLo) maskedHalf(false, mLo, wLo, pass, fail);
    return;
  }
  if (width === 32) {
    ld(false);
    switch (c.op) {
      case 'EQ':
        jeq(lo, pass, fail);
        return;
      case 'NE':
        jeq(lo, fail, pass);
        return;
      case 'GT':
        jgt(lo, pass, fail);
        return;
      case 'GE':
        jge(lo, pass, fail);
        return;
      case 'LT':
        jge(lo, fail, pass);
        return;
      case 'LE':
        jgt(lo, fail, pass);
        return;
    }
  }
  ld(true);
  switch (c.op) {
    case 'EQ':
      jeq(hi, 'next', fail);
      ld(false);
      jeq(lo, pass, fail);
      return;
    case 'NE':
      jeq(hi, 'next', pass);
      ld(false);
      jeq(lo, fail, pass);
      return;
    case 'GT':
    case 'GE':
      // high > hi: holds; high < hi: fails; equal: the low words decide.
      if (hi !== U32) jgt(hi, pass, 'next');
      if (hi !== 0) jeq(hi, 'next', fail);
      ld(false);
      c.op === 'GT' ? jgt(lo, pass, fail) : jge(lo, pass, fail);
      return;
    case 'LT':
    case 'LE':
      if (hi !== U32) jgt(hi, fail, 'next');
      if (hi !== 0) jeq(hi, 'next', pass);
      ld(false);
      c.op === 'LT' ? jge(lo, fail, pass) : jgt(lo, fail, pass);
      return;
  }
}
