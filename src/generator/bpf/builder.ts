// A classic-BPF builder with symbolic jump targets. Offsets stay symbolic until assemble(),
// one backward pass that computes them and inserts trampolines where a conditional jump is too far.

import { ProfilerError } from '../../errors.js';
import { type Label, Labels } from '../../util/labels.js';
import {
  ABS,
  ALU,
  classOf,
  type Instruction,
  isConditionalJump,
  JA,
  JMP,
  K,
  LD,
  MAX_INSNS,
  MAX_JUMP,
  MISC,
  RET,
  TXA,
  type ValidatedProgram,
  W,
} from './types.js';
import { validateProgram } from './validate.js';

export type { Label };

/** Where a jump goes: a label, or the instruction right after the jump. */
export type Target = Label | 'next';

interface Item {
  readonly code: number;
  readonly k: number;
  readonly jt?: Target;
  readonly jf?: Target;
  /** For JA: the target label (k is computed). */
  readonly to?: Label;
}

/**
 * Builds a program from instructions whose jumps name labels. Jumps only go forward, as in
 * classic BPF. assemble() resolves offsets in one backward pass: a conditional jump further than
 * 255 instructions goes through a trampoline placed right after it (a copy of the target when
 * the target is a return, else a JA), and trampolines are reused by earlier jumps within reach.
 */
export class ProgramBuilder {
  private readonly items: Item[] = [];
  private readonly labels = new Labels();

  /** A fresh, unbound label. */
  label(name = 'L'): Label {
    return this.labels.create(name);
  }

  /** Binds `label` to the next instruction emitted. A label is bound once. */
  bind(label: Label): this {
    this.labels.bind(label, this.items.length);
    return this;
  }

  /** True when `label` has been bound. */
  isBound(label: Label): boolean {
    return this.labels.at(label) !== undefined;
  }

  /** A non-jump instruction. */
  stmt(code: number, k = 0): this {
    if (classOf(code) === JMP) throw new Error('use jump() or goto() for jumps');
    this.items.push({ code, k: k >>> 0 });
    return this;
  }

  /** A conditional jump: `code` is JMP|JEQ/JGT/JGE/JSET|K/X. */
  jump(code: number, k: number, jt: Target, jf: Target): this {
    if (!isConditionalJump(code)) throw new Error(`0x${code.toString(16)} is not a conditional jump`);
    this.items.push({ code, k: k >>> 0, jt, jf });
    return this;
  }

  /** An unconditional jump (JA). */
  goto(to: Label): this {
    this.items.push({ code: JMP | JA, k: 0, to });
    return this;
  }

  /** RET K. */
  ret(k: number): this {
    return this.stmt(RET | K, k);
  }

  /** Instructions emitted so far (before trampolines). */
  get length(): number {
    return this.items.length;
  }

  /**
   * Drops each `LD|W|ABS k` reached only on paths where A already holds word k (data is immutable
   * while a filter runs). One forward pass: jumps only go forward, so every predecessor of an
   * instruction comes before it.
   */
  private elideRedundantLoads(): void {
    const n = this.items.length;
    const itemOf = (i: number, t: Target): number => (t === 'next' ? i + 1 : (this.labels.at(t) ?? -1));
    // What A holds on entry: the offset of the word it was loaded from, null when unknown,
    // undefined while no path has reached the instruction.
    const entry: (number | null | undefined)[] = new Array(n + 1).fill(undefined);
    entry[0] = null;
    const flow = (to: number, a: number | null): void => {
      if (to < 0 || to > n) return;
      const cur = entry[to];
      entry[to] = cur === undefined ? a : cur === a ? a : null;
    };
    const keep: boolean[] = new Array(n).fill(true);
    for (let i = 0; i < n; i++) {
      const it = this.items[i]!;
      const a = entry[i];
      if (a === undefined) continue; // unreachable: left alone
      if (it.code === (LD | W | ABS) && a === it.k) {
        keep[i] = false;
        flow(i + 1, a);
        continue;
      }
      const cls = classOf(it.code);
      if (it.to !== undefined) flow(itemOf(i, it.to), a);
      else if (it.jt !== undefined && it.jf !== undefined) {
        flow(itemOf(i, it.jt), a);
        flow(itemOf(i, it.jf), a);
      } else if (cls === RET) {
        // no successor
      } else {
        const out =
          it.code === (LD | W | ABS)
            ? it.k
            : cls === LD || cls === ALU || it.code === (MISC | TXA)
              ? null
              : a;
        flow(i + 1, out);
      }
    }
    if (keep.every(Boolean)) return;
    // Renumber: a label bound to a dropped load now means the next kept instruction.
    const newIndex: number[] = new Array(n + 1);
    let next = 0;
    for (let i = 0; i < n; i++) {
      newIndex[i] = next;
      if (keep[i]) next++;
    }
    newIndex[n] = next;
    this.labels.remap((i) => newIndex[i]!);
    const kept = this.items.filter((_, i) => keep[i]);
    this.items.splice(0, this.items.length, ...kept);
  }

  /** Resolves every label and validates. ProfilerError('TOO_LARGE') past 4096 instructions. */
  assemble(): ValidatedProgram {
    const out = this.resolve();
    if (out.length > MAX_INSNS) {
      throw new ProfilerError(
        'TOO_LARGE',
        `the BPF program needs ${out.length} instructions; the kernel accepts at most ${MAX_INSNS}`,
      );
    }
    return validateProgram(out);
  }

  /** Resolves every label (trampolines included) without validating or checking the size limit. */
  resolve(): Instruction[] {
    this.elideRedundantLoads();
    const n = this.items.length;
    const labelItem = (t: Label): number => {
      const i = this.labels.positionOf(t);
      if (i >= n) throw new Error(`label ${t.name}#${t.id} bound past the last instruction`);
      return i;
    };
    const targetItem = (i: number, t: Target): number => {
      const to = t === 'next' ? i + 1 : labelItem(t);
      if (to <= i) throw new Error(`instruction ${i} jumps backwards; classic BPF jumps only forward`);
      return to;
    };
    // Emitted in reverse; positions count from the end (0 = last instruction).
    const out: Instruction[] = [];
    const itemPos = new Array<number>(n);
    // Nearest emitted RET K instruction for each k, and nearest trampoline per target item.
    const nearestRet = new Map<number, number>();
    const nearestTramp = new Map<number, number>();
    const emit = (insn: Instruction): number => {
      const pos = out.length;
      out.push(insn);
      if (insn.code === (RET | K)) nearestRet.set(insn.k, pos);
      return pos;
    };
    const retValueOf = (item: number): number | undefined => {
      const it = this.items[item]!;
      return it.code === (RET | K) ? it.k : undefined;
    };
    // Where a jump at final position `from` may land for target `item`: the nearest copy within reach.
    const reach = (from: number, item: number): number | undefined => {
      const candidates = [itemPos[item]!];
      const rv = retValueOf(item);
      if (rv !== undefined) {
        const r = nearestRet.get(rv);
        if (r !== undefined) candidates.push(r);
      }
      const tr = nearestTramp.get(item);
      if (tr !== undefined) candidates.push(tr);
      const best = Math.max(...candidates);
      return from - best - 1 <= MAX_JUMP ? best : undefined;
    };
    for (let i = n - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (it.to !== undefined) {
        const t = targetItem(i, it.to);
        const rv = retValueOf(t);
        // A jump to a return is the return itself: same length, one less instruction executed.
        const insn =
          rv !== undefined
            ? { code: RET | K, jt: 0, jf: 0, k: rv }
            : { code: JMP | JA, jt: 0, jf: 0, k: out.length - itemPos[t]! - 1 };
        itemPos[i] = emit(insn);
        continue;
      }
      if (it.jt === undefined || it.jf === undefined) {
        itemPos[i] = emit({ code: it.code, jt: 0, jf: 0, k: it.k });
        continue;
      }
      const tt = targetItem(i, it.jt);
      const tf = targetItem(i, it.jf);
      // Decide which targets need a new trampoline; each new one pushes this jump one further away.
      let extra = 0;
      let landT = reach(out.length, tt);
      let landF = reach(out.length, tf);
      const needT = (): boolean => landT === undefined;
      const needF = (): boolean => landF === undefined && !(tf === tt && needT());
      for (let round = 0; round < 3; round++) {
        const want = (needT() ? 1 : 0) + (needF() ? 1 : 0);
        if (want === extra) break;
        extra = want;
        const from = out.length + extra;
        landT = reach(from, tt);
        landF = reach(from, tf);
      }
      const trampoline = (item: number): number => {
        const rv = retValueOf(item);
        const pos =
          rv !== undefined
            ? emit({ code: RET | K, jt: 0, jf: 0, k: rv })
            : emit({ code: JMP | JA, jt: 0, jf: 0, k: out.length - itemPos[item]! - 1 });
        nearestTramp.set(item, pos);
        return pos;
      };
      if (needF()) landF = trampoline(tf);
      if (needT()) landT = trampoline(tt);
      if (landF === undefined) landF = landT; // tf === tt
      const self = out.length;
      itemPos[i] = emit({ code: it.code, jt: self - landT! - 1, jf: self - landF! - 1, k: it.k });
    }
    return out.reverse();
  }
}
