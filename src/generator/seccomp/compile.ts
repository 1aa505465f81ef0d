// The seccomp compiler: Policy IR → classic BPF. Arch first, then per arch a balanced binary
// search over ranges of syscall numbers with the same outcome (segments.ts); argument checks
// (arguments.ts) only in the leaves of conditional syscalls, so unconditionally allowed syscalls
// stay cacheable by the kernel.
import { AUDIT_ARCH } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { type Label, ProgramBuilder } from '../bpf/builder.js';
import { ABS, JEQ, JGE, JMP, K, LD, MAX_INSNS, RET, stmt, type ValidatedProgram, W } from '../bpf/types.js';
import { validateProgram } from '../bpf/validate.js';
import type { Action, Policy } from '../policy/types.js';
import { emitArgumentChecks } from './arguments.js';
import { ARCH_OFFSET, NR_OFFSET } from './data.js';
import { KILL_PROCESS, type Outcome, type Segment, segmentsFor } from './segments.js';
import { assertSeccompProgram } from './validate.js';

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
      emitArgumentChecks(this.b, outcome, (value) => this.ret(value));
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
