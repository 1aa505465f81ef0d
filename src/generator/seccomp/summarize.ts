// What a raw filter does per named syscall: for lint and diff of filters from anywhere.
import {
  type Arch,
  AUDIT_ARCH,
  archOf,
  highestSyscallNumber,
  syscallName,
  syscallTable,
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
 * Numbers the table does not name, to find the default action: holes below the highest named number
 * (every ABI has some). Numbers above it may get their own action (ENOSYS for syscalls newer than the
 * table), so they are probed apart.
 */
function unnamedNumbers(arch: Arch): { holes: number[]; above: number[] } {
  const top = highestSyscallNumber(arch);
  const holes: number[] = [];
  for (let nr = top; nr >= top - 4096 && holes.length < 3; nr--)
    if (nr >= 0 && syscallName(arch, nr) === undefined) holes.push(nr);
  return { holes, above: [top + 1, top + 100] };
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

/**
 * Numbers without a name that `p` compares nr with (and the number below each, where a range test
 * begins): where a filter gives such a number its own outcome, e.g. a syscall recorded by number.
 */
function unnamedConstants(p: readonly Instruction[], arch: Arch): number[] {
  const out = new Set<number>();
  for (const k of jumpConstants(p))
    for (const nr of [k | 0, (k - 1) | 0])
      if (nr >= 0 && archOf(AUDIT_ARCH[arch], nr) === arch && syscallName(arch, nr) === undefined)
        out.add(nr);
  return [...out].sort((a, b) => a - b);
}

/**
 * Per arch, the action `p` takes (or 'conditional' when args decide) for each named syscall number,
 * and for the numbers without a name it treats apart from the default and from the numbers above
 * the table.
 */
export function summarizeProgram(
  p: readonly Instruction[],
  arches: readonly Arch[],
): {
  arches: Partial<Record<Arch, Map<number, Action | 'conditional'>>>;
  checksArch: boolean;
  defaultAction?: Action;
  /** Per arch, what the numbers above the syscall table get, where they all get one action. */
  above: Partial<Record<Arch, Action>>;
} {
  const out: Partial<Record<Arch, Map<number, Action | 'conditional'>>> = {};
  const defaults: Action[] = [];
  const above: Partial<Record<Arch, Action>> = {};
  const probe = (arch: Arch, nr: number) => outcomeOf(explore(p, knownWords(arch, nr)));
  for (const arch of arches) {
    const map = new Map<number, Action | 'conditional'>();
    const nrs = [...new Set(Object.values(syscallTable(arch)))].sort((a, b) => a - b);
    for (const nr of nrs) map.set(nr, probe(arch, nr));
    out[arch] = map;
    const unnamed = unnamedNumbers(arch);
    const beyond = unnamed.above.map((nr) => probe(arch, nr));
    const [first] = beyond;
    if (
      first !== undefined &&
      first !== 'conditional' &&
      beyond.every((o) => JSON.stringify(o) === JSON.stringify(first))
    )
      above[arch] = first;
    for (const nr of unnamed.holes.length ? unnamed.holes : unnamed.above) {
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
  for (const arch of arches) {
    const top = highestSyscallNumber(arch);
    for (const nr of unnamedConstants(p, arch)) {
      const o = probe(arch, nr);
      const fallback = nr > top ? (above[arch] ?? best?.action) : best?.action;
      if (JSON.stringify(o) !== JSON.stringify(fallback)) out[arch]!.set(nr, o);
    }
  }
  const result = { arches: out, checksArch: checksArchFirst(p), above };
  return best ? { ...result, defaultAction: best.action } : result;
}
