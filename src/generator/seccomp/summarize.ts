// What a raw filter does per syscall number: for lint and diff of filters from anywhere, and the lift.
import {
  ABI_INFO,
  type Arch,
  AUDIT_ARCH,
  archOf,
  highestSyscallNumber,
  syscallName,
  syscallTable,
  X32_SYSCALL_BIT,
} from '../../arch/index.js';
import { decodeReturn } from '../../arch/seccomp.js';
import {
  ABS,
  classOf,
  type Instruction,
  JA,
  JMP,
  jumpConstants,
  LD,
  opOf,
  RET,
  RET_A,
  W,
  writesA,
} from '../bpf/types.js';
import type { Action } from '../policy/types.js';
import { ARCH_OFFSET } from './data.js';
import { explore, knownWords, outcomeOf } from './explore.js';

/**
 * Numbers the table does not name below its highest, to find the default action by majority (every
 * ABI has some: 11 on i386, 87 on x86_64). Numbers above the highest may get their own action
 * (ENOSYS for syscalls newer than the table), so they do not vote; a table without holes falls back
 * on them.
 */
function holesOf(arch: Arch): number[] {
  const top = highestSyscallNumber(arch);
  const holes: number[] = [];
  for (let nr = ABI_INFO[arch].nrBase; nr <= top; nr++)
    if (syscallName(arch, nr) === undefined) holes.push(nr);
  return holes.length ? holes : [top + 1, top + 100];
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
    const cls = classOf(insn.code);
    if (cls === RET) {
      const v = insn.code === (RET | RET_A) ? undefined : insn.k;
      const kind = v === undefined ? undefined : decodeReturn(v)?.fact.kind;
      const kill = kind === 'kill-process' || kind === 'kill-thread';
      return checked || kill;
    }
    if (cls === JMP) {
      if (opOf(insn.code) === JA) return walk(pc + 1 + insn.k, aIsArch, checked);
      const c = checked || aIsArch;
      return walk(pc + 1 + insn.jt, aIsArch, c) && walk(pc + 1 + insn.jf, aIsArch, c);
    }
    let a = aIsArch;
    if (insn.code === (LD | W | ABS)) a = insn.k === ARCH_OFFSET;
    else if (writesA(insn.code)) a = false;
    return walk(pc + 1, a, checked);
  };
  return walk(0, false, false);
}

/** The numbers seccomp_data.nr carries for `arch`: x86_64's stop where x32's begin. */
function regionOf(arch: Arch): [lo: number, hi: number] {
  if (arch === 'x32') return [X32_SYSCALL_BIT, 0x7fffffff];
  return [0, arch === 'x86_64' ? X32_SYSCALL_BIT - 1 : 0x7fffffff];
}

/**
 * The intervals of `arch`'s numbers between the constants `p` compares with, each with a number
 * without a name in it: a filter that tests nr with JEQ/JGE/JGT only (ours, libseccomp's) treats
 * every number of one interval alike, so one probe tells what the unnamed numbers of it get.
 */
function unnamedIntervals(
  p: readonly Instruction[],
  arch: Arch,
): { lo: number; hi: number; probe: number }[] {
  const [lo, hi] = regionOf(arch);
  const cuts = new Set<number>([lo]);
  for (const k of jumpConstants(p))
    for (const c of [k, k + 1]) if (c > lo && c <= hi && archOf(AUDIT_ARCH[arch], c) === arch) cuts.add(c);
  const starts = [...cuts].sort((x, y) => x - y);
  const out: { lo: number; hi: number; probe: number }[] = [];
  starts.forEach((from, i) => {
    const to = (starts[i + 1] ?? hi + 1) - 1;
    for (let nr = from; nr <= to && nr <= from + 4096; nr++) {
      if (syscallName(arch, nr) === undefined) {
        out.push({ lo: from, hi: to, probe: nr });
        return;
      }
    }
  });
  return out;
}

/** What a run of unnamed numbers gets, where it differs from the default action. */
export interface UnnamedRange {
  readonly lo: number;
  readonly hi: number;
  readonly outcome: Action | 'conditional';
}

/**
 * Per arch, the action `p` takes (or 'conditional' when args decide) for each named syscall number
 * and each single unnamed number it treats apart from the default (a syscall allowed by number);
 * runs of unnamed numbers treated apart (ENOSYS above the table) in `ranges`.
 */
export function summarizeProgram(
  p: readonly Instruction[],
  arches: readonly Arch[],
): {
  arches: Partial<Record<Arch, Map<number, Action | 'conditional'>>>;
  checksArch: boolean;
  defaultAction?: Action;
  ranges: Partial<Record<Arch, UnnamedRange[]>>;
} {
  const out: Partial<Record<Arch, Map<number, Action | 'conditional'>>> = {};
  const defaults: Action[] = [];
  const probe = (arch: Arch, nr: number) => outcomeOf(explore(p, knownWords(arch, nr)));
  for (const arch of arches) {
    const map = new Map<number, Action | 'conditional'>();
    const nrs = [...new Set(Object.values(syscallTable(arch)))].sort((a, b) => a - b);
    for (const nr of nrs) map.set(nr, probe(arch, nr));
    out[arch] = map;
    for (const nr of holesOf(arch)) {
      const o = probe(arch, nr);
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
  const ranges: Partial<Record<Arch, UnnamedRange[]>> = {};
  const same = (x: Action | 'conditional' | undefined, y: Action | undefined) =>
    JSON.stringify(x) === JSON.stringify(y);
  for (const arch of arches) {
    const list: UnnamedRange[] = [];
    for (const interval of unnamedIntervals(p, arch)) {
      const outcome = probe(arch, interval.probe);
      if (same(outcome, best?.action)) continue;
      if (interval.lo === interval.hi) out[arch]!.set(interval.lo, outcome);
      else list.push({ lo: interval.lo, hi: interval.hi, outcome });
    }
    if (list.length) ranges[arch] = list;
  }
  const result = { arches: out, checksArch: checksArchFirst(p), ranges };
  return best ? { ...result, defaultAction: best.action } : result;
}
