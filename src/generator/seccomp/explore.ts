// Symbolic execution of a seccomp filter with some words of seccomp_data known (nr, arch) and the
// rest free: every path to a return, with what it learnt about each free 32-bit word.
import { type Arch, AUDIT_ARCH } from '../../arch/index.js';
import {
  ABS,
  ALU,
  AND,
  classOf,
  IMM,
  type Instruction,
  isTxa,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  LD,
  LDX,
  MEM,
  MEM_WORDS,
  MISC,
  modeOf,
  opOf,
  RET,
  RET_A,
  returnOperand,
  ST,
  STX,
  usesX,
  W,
} from '../bpf/types.js';
import { type Action, actionFromValue } from '../policy/types.js';
import { ARCH_OFFSET, NR_OFFSET } from './data.js';

export const U32 = 0xffffffff;
/** Paths explored per syscall before giving up on an exact answer. */
const MAX_PATHS = 512;

type Sym =
  | { readonly kind: 'const'; readonly v: number }
  | { readonly kind: 'word'; readonly off: number; readonly mask: number }
  | { readonly kind: 'unknown' };

/** What a path knows about one 32-bit word of seccomp_data: an interval, excluded points, mask tests. */
export interface WordFacts {
  readonly min: number;
  readonly max: number;
  readonly ne: readonly number[];
  readonly masks: readonly { readonly m: number; readonly v: number; readonly eq: boolean }[];
}

export interface Leaf {
  /** The returned value, or undefined when it depends on something we cannot follow. */
  readonly value: number | undefined;
  readonly facts: ReadonlyMap<number, WordFacts>;
  /** False when the path tested values we cannot express (ALU results, X, scratch memory). */
  readonly exact: boolean;
}

export const FREE: WordFacts = { min: 0, max: U32, ne: [], masks: [] };

function feasible(f: WordFacts): boolean {
  if (f.min > f.max) return false;
  if (f.min === f.max) {
    const p = f.min;
    if (f.ne.includes(p)) return false;
    return f.masks.every(({ m, v, eq }) => ((p & m) >>> 0 === v) === eq);
  }
  return f.masks.every(({ m, v, eq }) => !eq || (v & ~m) >>> 0 === 0);
}

/** Every path from the start with `known` words fixed; other words are free. */
export function explore(p: readonly Instruction[], known: ReadonlyMap<number, number>): Leaf[] | undefined {
  const leaves: Leaf[] = [];
  let paths = 0;
  const walk = (
    pc: number,
    a: Sym,
    x: Sym,
    mem: readonly Sym[],
    facts: ReadonlyMap<number, WordFacts>,
    exact: boolean,
  ): boolean => {
    for (;;) {
      const insn = p[pc];
      if (insn === undefined) return false;
      const { code, k } = insn;
      const cls = classOf(code);
      if (cls === RET) {
        if (++paths > MAX_PATHS) return false;
        const value = returnOperand(code) === RET_A ? (a.kind === 'const' ? a.v : undefined) : k;
        leaves.push({ value, facts, exact });
        return true;
      }
      pc++;
      if (cls === LD || cls === LDX) {
        let v: Sym = { kind: 'unknown' };
        if (code === (LD | W | ABS)) {
          const c = known.get(k);
          v = c !== undefined ? { kind: 'const', v: c } : { kind: 'word', off: k, mask: U32 };
        } else if (modeOf(code) === IMM) v = { kind: 'const', v: k };
        else if (modeOf(code) === MEM) v = mem[k] ?? { kind: 'unknown' };
        if (cls === LD) a = v;
        else x = v;
      } else if (cls === ST || cls === STX) {
        const copy = [...mem];
        copy[k] = cls === ST ? a : x;
        mem = copy;
      } else if (cls === MISC) {
        if (isTxa(code)) a = x;
        else x = a;
      } else if (cls === ALU) {
        const src: Sym = usesX(code) ? x : { kind: 'const', v: k };
        if (opOf(code) === AND && src.kind === 'const' && a.kind === 'word') {
          a = { kind: 'word', off: a.off, mask: (a.mask & src.v) >>> 0 };
        } else if (opOf(code) === AND && src.kind === 'const' && a.kind === 'const') {
          a = { kind: 'const', v: (a.v & src.v) >>> 0 };
        } else {
          a = { kind: 'unknown' };
        }
      } else if (cls === JMP) {
        const op = opOf(code);
        if (op === JA) {
          pc += k;
          continue;
        }
        const src: Sym = usesX(code) ? x : { kind: 'const', v: k };
        if (a.kind === 'const' && src.kind === 'const') {
          const av = a.v;
          const sv = src.v;
          const taken =
            op === JEQ ? av === sv : op === JGT ? av > sv : op === JGE ? av >= sv : (av & sv) !== 0;
          pc += taken ? insn.jt : insn.jf;
          continue;
        }
        const branches: [number, WordFacts | undefined, boolean][] = [];
        if (a.kind === 'word' && src.kind === 'const') {
          const f = facts.get(a.off) ?? FREE;
          const sv = src.v;
          const full = a.mask === U32;
          const withMask = (m: number, v: number, eq: boolean): WordFacts => ({
            ...f,
            masks: [...f.masks, { m, v, eq }],
          });
          let yes: WordFacts | undefined;
          let no: WordFacts | undefined;
          if (op === JEQ && full) {
            yes = { ...f, min: Math.max(f.min, sv), max: Math.min(f.max, sv) };
            no = { ...f, ne: [...f.ne, sv] };
          } else if (op === JEQ) {
            yes = withMask(a.mask, sv, true);
            no = withMask(a.mask, sv, false);
          } else if (op === JSET) {
            const m = (a.mask & sv) >>> 0;
            yes = withMask(m, 0, false);
            no = withMask(m, 0, true);
          } else if (full && op === JGT) {
            yes = { ...f, min: Math.max(f.min, sv + 1) };
            no = { ...f, max: Math.min(f.max, sv) };
          } else if (full && op === JGE) {
            yes = { ...f, min: Math.max(f.min, sv) };
            no = { ...f, max: Math.min(f.max, sv - 1) };
          }
          if (yes && no) {
            branches.push([pc + insn.jt, yes, true], [pc + insn.jf, no, true]);
          }
        }
        if (branches.length === 0) {
          branches.push([pc + insn.jt, undefined, false], [pc + insn.jf, undefined, false]);
        }
        for (const [to, wf, ok] of branches) {
          if (wf && !feasible(wf)) continue;
          let next = facts;
          if (wf && a.kind === 'word') {
            const copy = new Map(facts);
            copy.set(a.off, wf);
            next = copy;
          }
          if (!walk(to, a, x, mem, next, exact && ok)) return false;
        }
        return true;
      }
    }
  };
  const ok = walk(
    0,
    { kind: 'unknown' },
    { kind: 'unknown' },
    new Array(MEM_WORDS).fill({ kind: 'unknown' }),
    new Map(),
    true,
  );
  return ok ? leaves : undefined;
}

export function knownWords(arch: Arch, nr: number): Map<number, number> {
  return new Map([
    [NR_OFFSET, nr >>> 0],
    [ARCH_OFFSET, AUDIT_ARCH[arch]],
  ]);
}

export function outcomeOf(leaves: readonly Leaf[] | undefined): Action | 'conditional' {
  if (leaves === undefined) return 'conditional';
  const values = new Set(leaves.map((l) => l.value));
  if (values.size !== 1) return 'conditional';
  const [v] = values;
  // The kernel treats unknown return values as KILL_PROCESS.
  return v === undefined ? 'conditional' : (actionFromValue(v) ?? { kind: 'kill-process' });
}
