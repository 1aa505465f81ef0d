// Syscall names and numbers on one ABI, from the generated table (./tables/syscalls.ts, libseccomp's
// syscalls.csv). Numbers are what a filter sees in seccomp_data.nr: x32's carry X32_SYSCALL_BIT,
// mips' their 4000/5000/6000 base.
import { ABI_INFO, ABIS, type Abi, type AbiInfo } from './abis.js';
import { COLUMNS, ROWS } from './tables/syscalls.js';

interface Lookup {
  readonly byName: Readonly<Record<string, number>>;
  readonly byNumber: ReadonlyMap<number, string>;
  /** Names sorted by number. */
  readonly names: readonly string[];
  readonly highest: number;
}

const LOOKUPS = new Map<Abi, Lookup>();

function lookup(abi: Abi): Lookup {
  let found = LOOKUPS.get(abi);
  if (!found) {
    const info: AbiInfo = ABI_INFO[abi];
    const column = COLUMNS.indexOf(info.table);
    const pairs: [string, number][] = [];
    let highest = -1;
    for (const [name, raw] of Object.entries(ROWS)) {
      const nr = raw[column]!;
      if (nr < 0) continue;
      pairs.push([name, info.nrBase + nr]);
      if (nr < (info.ownBlockFrom ?? Number.POSITIVE_INFINITY)) highest = Math.max(highest, nr);
    }
    pairs.sort((a, b) => a[1] - b[1]);
    found = {
      byName: Object.freeze(Object.fromEntries(pairs)),
      byNumber: new Map(pairs.map(([name, nr]) => [nr, name])),
      names: pairs.map(([name]) => name),
      highest: info.nrBase + highest,
    };
    LOOKUPS.set(abi, found);
  }
  return found;
}

/**
 * Syscall number of `name` on `abi` (x32 numbers include X32_SYSCALL_BIT), or undefined. Read from
 * the row directly: building an ABI's whole lookup costs ≈ 5 ms in a fresh process, and start-up
 * code asks for a few numbers only (the eBPF recorder, for three ABIs).
 */
export function syscallNumber(abi: Abi, name: string): number | undefined {
  const row = Object.hasOwn(ROWS, name) ? ROWS[name] : undefined;
  const nr = row?.[COLUMNS.indexOf(ABI_INFO[abi].table)];
  return nr === undefined || nr < 0 ? undefined : ABI_INFO[abi].nrBase + nr;
}

/** Syscall name for `nr` on `abi`, or undefined for numbers the table does not name. */
export function syscallName(abi: Abi, nr: number): string | undefined {
  return lookup(abi).byNumber.get(nr);
}

/** A printable name: the table name, or `syscall_<nr>` for unknown numbers. */
export function describeSyscall(abi: Abi, nr: number): string {
  return syscallName(abi, nr) ?? `syscall_${nr}`;
}

/** All syscall names of `abi`, sorted by number. */
export function syscallNames(abi: Abi): readonly string[] {
  return lookup(abi).names;
}

/** The full name→number table of `abi`. */
export function syscallTable(abi: Abi): Readonly<Record<string, number>> {
  return lookup(abi).byName;
}

/**
 * The highest number of `abi`'s shared numbering: the newest syscall the table knows. A number
 * above it that the table does not name is a syscall newer than the table (or none at all). x32's
 * own block (X32_SYSCALL_BIT + 512…547) and ARM's private calls (0x0f0001…) lie above it and are named.
 */
export function highestSyscallNumber(abi: Abi): number {
  return lookup(abi).highest;
}

/** The largest non-negative syscall number of `abi`: below the next ABI sharing its audit arch (x32 after x86_64). */
function topNumber(abi: Abi): number {
  const { auditArch, nrBase } = ABI_INFO[abi];
  let top = 0x7fffffff;
  for (const other of ABIS) {
    const o = ABI_INFO[other];
    if (o.auditArch === auditArch && o.nrBase > nrBase) top = Math.min(top, o.nrBase - 1);
  }
  return top;
}

/**
 * The numbers above highestSyscallNumber(abi) that the table does not name, as inclusive ranges up
 * to the ABI's largest number: syscalls newer than the table. x32's own block and ARM's private
 * calls, which lie above the highest, are named and so left out.
 */
export function unnamedNumbersAbove(abi: Abi): readonly (readonly [lo: number, hi: number])[] {
  const { byNumber, highest } = lookup(abi);
  const named = [...byNumber.keys()].filter((nr) => nr > highest).sort((a, b) => a - b);
  const out: [number, number][] = [];
  let next = highest + 1;
  for (const nr of named) {
    if (nr > next) out.push([next, nr - 1]);
    next = nr + 1;
  }
  const top = topNumber(abi);
  if (next <= top) out.push([next, top]);
  return out;
}
