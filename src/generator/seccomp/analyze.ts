// Reading seccomp filters back: what a raw program does per syscall (for lint and diff) and a
// best-effort lift to the Policy IR. Works on any valid filter, ours or libseccomp's.
import { type Arch, AUDIT_ARCH, syscallName, syscallTable } from '../../arch/index.js';
import {
  ABS,
  ALU,
  AND,
  IMM,
  type Instruction,
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
  RET,
  RET_A,
  ST,
  STX,
  TXA,
  W,
  X,
} from '../bpf/types.js';
import {
  type Action,
  actionFromValue,
  type Condition,
  type Policy,
  type Rule,
  sameAction,
} from '../policy/types.js';
import { ARCH_OFFSET, NR_OFFSET } from './data.js';

const U32 = 0xffffffff;
/** Paths explored per syscall before giving up on an exact answer. */
const MAX_PATHS = 512;

type Sym =
  | { readonly kind: 'const'; readonly v: number }
  | { readonly kind: 'word'; readonly off: number; readonly mask: number }
  | { readonly kind: 'unknown' };

/** What a path knows about one 32-bit word of seccomp_data: an interval, excluded points, mask tests. */
interface WordFacts {
  readonly min: number;
  readonly max: number;
  readonly ne: readonly number[];
  readonly masks: readonly { readonly m: number; readonly v: number; readonly eq: boolean }[];
}

interface Leaf {
  /** The returned value, or undefined when it depends on something we cannot follow. */
  readonly value: number | undefined;
  readonly facts: ReadonlyMap<number, WordFacts>;
  /** False when the path tested values we cannot express (ALU results, X, scratch memory). */
  readonly exact: boolean;
}

const FREE: WordFacts = { min: 0, max: U32, ne: [], masks: [] };

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
function explore(p: readonly Instruction[], known: ReadonlyMap<number, number>): Leaf[] | undefined {
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
      const cls = code & 0x07;
      if (cls === RET) {
        if (++paths > MAX_PATHS) return false;
        const value = (code & 0x18) === RET_A ? (a.kind === 'const' ? a.v : undefined) : k;
        leaves.push({ value, facts, exact });
        return true;
      }
      pc++;
      if (cls === LD || cls === LDX) {
        let v: Sym = { kind: 'unknown' };
        if (code === (LD | W | ABS)) {
          const c = known.get(k);
          v = c !== undefined ? { kind: 'const', v: c } : { kind: 'word', off: k, mask: U32 };
        } else if ((code & 0xe0) === IMM) v = { kind: 'const', v: k };
        else if ((code & 0xe0) === MEM) v = mem[k] ?? { kind: 'unknown' };
        if (cls === LD) a = v;
        else x = v;
      } else if (cls === ST || cls === STX) {
        const copy = [...mem];
        copy[k] = cls === ST ? a : x;
        mem = copy;
      } else if (cls === MISC) {
        if ((code & 0xf8) === TXA) a = x;
        else x = a;
      } else if (cls === ALU) {
        const src: Sym = (code & X) !== 0 ? x : { kind: 'const', v: k };
        if ((code & 0xf0) === AND && src.kind === 'const' && a.kind === 'word') {
          a = { kind: 'word', off: a.off, mask: (a.mask & src.v) >>> 0 };
        } else if ((code & 0xf0) === AND && src.kind === 'const' && a.kind === 'const') {
          a = { kind: 'const', v: (a.v & src.v) >>> 0 };
        } else {
          a = { kind: 'unknown' };
        }
      } else if (cls === JMP) {
        const op = code & 0xf0;
        if (op === JA) {
          pc += k;
          continue;
        }
        const src: Sym = (code & X) !== 0 ? x : { kind: 'const', v: k };
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

function knownWords(arch: Arch, nr: number): Map<number, number> {
  return new Map([
    [NR_OFFSET, nr >>> 0],
    [ARCH_OFFSET, AUDIT_ARCH[arch]],
  ]);
}

function outcomeOf(leaves: readonly Leaf[] | undefined): Action | 'conditional' {
  if (leaves === undefined) return 'conditional';
  const values = new Set(leaves.map((l) => l.value));
  if (values.size !== 1) return 'conditional';
  const [v] = values;
  // The kernel treats unknown return values as KILL_PROCESS.
  return v === undefined ? 'conditional' : (actionFromValue(v) ?? { kind: 'kill-process' });
}

/** Numbers no table names, to find the action for unnamed syscalls. */
function unnamedNumbers(arch: Arch): number[] {
  const nrs = Object.values(syscallTable(arch));
  const max = Math.max(...nrs);
  return [max + 1, max + 100];
}

/**
 * The value `p` returns for (auditArch, nr) when that is decided by nr and arch alone, emulated the
 * way Linux (>= 5.11) builds its seccomp action cache; undefined when the path loads anything else
 * (argument, instruction pointer) or uses an instruction the kernel's emulator does not follow.
 */
export function constantResult(p: readonly Instruction[], auditArch: number, nr: number): number | undefined {
  let a = 0;
  let pc = 0;
  for (;;) {
    const insn = p[pc];
    if (insn === undefined) return undefined;
    const { code, k } = insn;
    pc++;
    if (code === (LD | W | ABS)) {
      if (k === NR_OFFSET) a = nr >>> 0;
      else if (k === ARCH_OFFSET) a = auditArch >>> 0;
      else return undefined;
    } else if (code === (RET | 0x00)) {
      return k >>> 0;
    } else if (code === (JMP | JA)) {
      pc += k;
    } else if (
      code === (JMP | JEQ) ||
      code === (JMP | JGE) ||
      code === (JMP | JGT) ||
      code === (JMP | JSET)
    ) {
      const op = code & 0xf0;
      const taken = op === JEQ ? a === k : op === JGE ? a >= k : op === JGT ? a > k : (a & k) !== 0;
      pc += taken ? insn.jt : insn.jf;
    } else if (code === (ALU | AND)) {
      a = (a & k) >>> 0;
    } else {
      return undefined;
    }
  }
}

/** Does every path test the arch before it can return anything but a kill? */
function checksArchFirst(p: readonly Instruction[]): boolean {
  const seen = new Set<string>();
  const walk = (pc: number, aIsArch: boolean, checked: boolean): boolean => {
    const key = `${pc}:${aIsArch}:${checked}`;
    if (seen.has(key)) return true;
    seen.add(key);
    const insn = p[pc];
    if (insn === undefined) return true;
    const cls = insn.code & 0x07;
    if (cls === RET) {
      const v = insn.code === (RET | RET_A) ? undefined : insn.k;
      const kill = v !== undefined && ((v & 0xffff0000) >>> 0 === 0x80000000 || (v & 0xffff0000) === 0);
      return checked || kill;
    }
    if (cls === JMP) {
      if ((insn.code & 0xf0) === JA) return walk(pc + 1 + insn.k, aIsArch, checked);
      const c = checked || aIsArch;
      return walk(pc + 1 + insn.jt, aIsArch, c) && walk(pc + 1 + insn.jf, aIsArch, c);
    }
    let a = aIsArch;
    if (insn.code === (LD | W | ABS)) a = insn.k === ARCH_OFFSET;
    else if (cls === LD || cls === ALU || (cls === MISC && (insn.code & 0xf8) === TXA)) a = false;
    return walk(pc + 1, a, checked);
  };
  return walk(0, false, false);
}

/** Per arch and named syscall number, the action `p` takes (or 'conditional' when args decide). */
export function summarizeProgram(
  p: readonly Instruction[],
  arches: readonly Arch[],
): {
  arches: Partial<Record<Arch, Map<number, Action | 'conditional'>>>;
  checksArch: boolean;
  defaultAction?: Action;
} {
  const out: Partial<Record<Arch, Map<number, Action | 'conditional'>>> = {};
  const defaults: Action[] = [];
  for (const arch of arches) {
    const map = new Map<number, Action | 'conditional'>();
    const nrs = [...new Set(Object.values(syscallTable(arch)))].sort((a, b) => a - b);
    for (const nr of nrs) map.set(nr, outcomeOf(explore(p, knownWords(arch, nr))));
    out[arch] = map;
    for (const nr of unnamedNumbers(arch)) {
      const o = outcomeOf(explore(p, knownWords(arch, nr)));
      if (o !== 'conditional') defaults.push(o);
    }
  }
  const counts = new Map<string, { action: Action; n: number }>();
  for (const a of defaults) {
    const key = JSON.stringify(a);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { action: a, n: 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  const result = { arches: out, checksArch: checksArchFirst(p) };
  return best ? { ...result, defaultAction: best.action } : result;
}

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
