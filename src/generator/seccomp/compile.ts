// The seccomp compiler: Policy IR → classic BPF. Arch first, then per arch a balanced binary
// search over ranges of syscall numbers with the same outcome; argument checks only in the leaves
// of conditional syscalls, so unconditionally allowed syscalls stay cacheable by the kernel.
import { type Arch, AUDIT_ARCH, X32_SYSCALL_BIT } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { type Label, ProgramBuilder, type Target } from '../bpf/builder.js';
import {
  ABS,
  ALU,
  AND,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  K,
  LD,
  MAX_INSNS,
  RET,
  stmt,
  type ValidatedProgram,
  W,
} from '../bpf/types.js';
import { validateProgram } from '../bpf/validate.js';
import { type Action, actionValue, type Condition, type Policy, type Rule } from '../policy/types.js';
import { ARCH_OFFSET, argOffset, NR_OFFSET } from './data.js';
import { assertSeccompProgram } from './validate.js';

const KILL_PROCESS = actionValue({ kind: 'kill-process' });
const U32 = 0xffffffff;
const M32 = 0xffffffffn;
const M64 = (1n << 64n) - 1n;

type Width = 32 | 64;

interface CondRule {
  readonly value: number;
  readonly conditions: readonly Condition[];
}

/** What a syscall number leads to: a return, or argument checks with a fall-through return. */
type Outcome =
  | { readonly kind: 'ret'; readonly value: number }
  | {
      readonly kind: 'cond';
      readonly width: Width;
      readonly rules: readonly CondRule[];
      readonly fallthrough: number;
    };

/** A range [lo, hi] of 32-bit syscall numbers with one outcome. */
interface Segment {
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

/** Appends segments covering [lo, hi] for `arch`'s rules (or `fixed` for the whole region). */
function addRegion(
  out: Segment[],
  lo: number,
  hi: number,
  arch: Arch,
  policy: Policy,
  fixed: number | undefined,
): void {
  const defaultValue = fixed ?? actionValue(policy.defaultAction);
  const width: Width = arch === 'i386' ? 32 : 64;
  const byNr = new Map<number, Rule[]>();
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
  const dflt: Outcome = { kind: 'ret', value: defaultValue };
  let next = lo;
  for (const nr of [...byNr.keys()].sort((a, b) => a - b)) {
    if (nr > next) push(next, nr - 1, dflt);
    push(nr, nr, outcomeOf(byNr.get(nr)!, defaultValue, width));
    next = nr + 1;
  }
  if (next <= hi) push(next, hi, dflt);
}

/** The dispatch table of one AUDIT_ARCH token: segments covering every 32-bit nr. */
function segmentsFor(auditArch: number, policy: Policy): Segment[] {
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
function emitCondition(b: ProgramBuilder, c: Condition, width: Width, pass: Target, fail: Target): void {
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

/**
 * Index where the right half of segs[lo..hi] starts: balanced by count of ranges. (Balancing by the
 * named syscalls inside the ranges was measured too: a little faster on moby-default with three
 * arches, a little slower on single-arch profiles; see docs/compiler.md.)
 */
function splitPoint(lo: number, hi: number): number {
  return lo + Math.ceil((hi - lo + 1) / 2);
}

/** Longest run of equality tests used instead of a range search (see Emitter.chain). */
const MAX_CHAIN = 3;

class Emitter {
  readonly b = new ProgramBuilder();
  private readonly rets = new Map<number, Label>();
  private readonly blocks = new Map<string, { label: Label; outcome: Outcome & { kind: 'cond' } }>();

  /** The shared `RET value` block. */
  ret(value: number): Label {
    let l = this.rets.get(value >>> 0);
    if (!l) {
      l = this.b.label(`ret_${value >>> 0}`);
      this.rets.set(value >>> 0, l);
    }
    return l;
  }

  leaf(seg: Segment): Label {
    if (seg.outcome.kind === 'ret') return this.ret(seg.outcome.value);
    let block = this.blocks.get(seg.key);
    if (!block) {
      block = { label: this.b.label('args'), outcome: seg.outcome };
      this.blocks.set(seg.key, block);
    }
    return block.label;
  }

  /**
   * When segs[lo..hi] is one background outcome with at most MAX_CHAIN single-number islands,
   * the islands (in order) and the background segment; else undefined.
   */
  private chain(
    segs: readonly Segment[],
    lo: number,
    hi: number,
  ): { islands: Segment[]; background: Segment } | undefined {
    let background: Segment | undefined;
    for (let i = lo; i <= hi; i++) {
      const s = segs[i]!;
      if (s.lo === s.hi) continue;
      if (background && background.key !== s.key) return undefined;
      background ??= s;
    }
    background ??= segs[lo]!;
    const islands = segs.slice(lo, hi + 1).filter((s) => s.key !== background.key);
    return islands.length <= MAX_CHAIN ? { islands, background } : undefined;
  }

  /** Emits the search over segs[lo..hi] at the current position (which must be reached). */
  tree(segs: readonly Segment[], lo: number, hi: number): void {
    const b = this.b;
    const chain = this.chain(segs, lo, hi);
    if (chain) {
      // A few isolated numbers on one background: equality tests are shorter than range tests
      // and, over so few ranges, no slower.
      chain.islands.forEach((island, i) => {
        const last = i === chain.islands.length - 1;
        b.jump(JMP | JEQ | K, island.lo, this.leaf(island), last ? this.leaf(chain.background) : 'next');
      });
      return;
    }
    const split = splitPoint(lo, hi);
    const leftLeaf = split - 1 === lo;
    const rightLeaf = split === hi;
    const right = rightLeaf ? this.leaf(segs[hi]!) : b.label('range');
    b.jump(JMP | JGE | K, segs[split]!.lo, right, leftLeaf ? this.leaf(segs[lo]!) : 'next');
    if (!leftLeaf) this.tree(segs, lo, split - 1);
    if (!rightLeaf) {
      b.bind(right);
      this.tree(segs, split, hi);
    }
  }

  /** Emits every argument-check block that leaves referred to. */
  flushBlocks(): void {
    for (const { label, outcome } of this.blocks.values()) {
      this.b.bind(label);
      const steps = groupEqualitySets(outcome.rules);
      steps.forEach((step, i) => {
        const last = i === steps.length - 1;
        const fail = last ? this.ret(outcome.fallthrough) : this.b.label('rule');
        if (step.kind === 'set') {
          emitEqualitySet(this.b, step.arg, step.values, outcome.width, this.ret(step.value), fail);
        } else {
          step.rule.conditions.forEach((c, j) => {
            // Not 'next': inside emitCondition that means its own next instruction.
            const lastCondition = j === step.rule.conditions.length - 1;
            const pass = lastCondition ? this.ret(step.rule.value) : this.b.label('cond');
            emitCondition(this.b, c, outcome.width, pass, fail);
            if (!lastCondition) this.b.bind(pass);
          });
        }
        if (!last) this.b.bind(fail as Label);
      });
    }
  }

  flushReturns(): void {
    for (const [value, label] of this.rets) {
      this.b.bind(label);
      this.b.ret(value);
    }
  }
}

function auditArchesOf(policy: Policy): number[] {
  const tokens: number[] = [];
  const add = (t: number): void => {
    if (!tokens.includes(t)) tokens.push(t);
  };
  // Fixed order: the output must not depend on the order of policy.arches.
  if (policy.arches.includes('x86_64') || policy.arches.includes('x32')) add(AUDIT_ARCH.x86_64);
  if (policy.arches.includes('i386')) add(AUDIT_ARCH.i386);
  if (policy.arches.includes('aarch64')) add(AUDIT_ARCH.aarch64);
  return tokens;
}

/**
 * Compiles `policy` to a seccomp filter with exactly evaluatePolicy's semantics. Deterministic;
 * throws ProfilerError('TOO_LARGE') when the filter would exceed the kernel's 4096 instructions.
 */
export function compilePolicy(policy: Policy): ValidatedProgram {
  const e = new Emitter();
  const b = e.b;
  const tokens = auditArchesOf(policy);
  if (tokens.length === 0) return validateProgram([stmt(RET | K, KILL_PROCESS)]);
  b.stmt(LD | W | ABS, ARCH_OFFSET);
  tokens.forEach((token, i) => {
    const segs = segmentsFor(token, policy);
    const otherArch = i === tokens.length - 1 ? e.ret(KILL_PROCESS) : b.label('arch');
    if (segs.length === 1) {
      b.jump(JMP | JEQ | K, token, e.leaf(segs[0]!), otherArch);
    } else {
      b.jump(JMP | JEQ | K, token, 'next', otherArch);
      b.stmt(LD | W | ABS, NR_OFFSET);
      e.tree(segs, 0, segs.length - 1);
    }
    if (i < tokens.length - 1) b.bind(otherArch);
  });
  e.flushBlocks();
  e.flushReturns();
  const insns = b.resolve();
  if (insns.length > MAX_INSNS) {
    throw new ProfilerError(
      'TOO_LARGE',
      `the policy compiles to ${insns.length} BPF instructions; the kernel accepts at most ${MAX_INSNS}. ` +
        'Use fewer argument rules or fewer arches.',
    );
  }
  const program = validateProgram(insns);
  assertSeccompProgram(program);
  return program;
}

/** The action for which `compilePolicy` kills calls of foreign arches. */
export const BAD_ARCH_ACTION: Action = { kind: 'kill-process' };
