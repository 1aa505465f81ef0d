// What a raw filter does per named syscall: for lint and diff of filters from anywhere.
import { type Arch, syscallTable } from '../../arch/index.js';
import { decodeReturn } from '../../arch/seccomp.js';
import { ABS, classOf, type Instruction, JA, JMP, LD, opOf, RET, RET_A, W, writesA } from '../bpf/types.js';
import type { Action } from '../policy/types.js';
import { ARCH_OFFSET } from './data.js';
import { explore, knownWords, outcomeOf } from './explore.js';

/** Numbers no table names, to find the action for unnamed syscalls. */
function unnamedNumbers(arch: Arch): number[] {
  const nrs = Object.values(syscallTable(arch));
  const max = Math.max(...nrs);
  return [max + 1, max + 100];
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
