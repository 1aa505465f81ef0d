// Syscall names across every ABI: a profile may name a syscall of another ABI (podman's names
// pciconfig_iobase), which libseccomp and runc skip on the ABIs that lack it.
import { ABI_INFO, ABIS, type Abi } from './abis.js';
import { syscallNumber } from './table.js';
import { COLUMNS, ROWS } from './tables/syscalls.js';

/** True when `name` is a syscall on at least one ABI. */
export function isSyscallName(name: string): boolean {
  return Object.hasOwn(ROWS, name) && ROWS[name]!.some((nr) => nr >= 0);
}

let allNames: readonly string[] | undefined;

/** Every name that is a syscall on some ABI, sorted: the candidates for "did you mean". */
export function allSyscallNames(): readonly string[] {
  allNames ??= Object.keys(ROWS)
    .filter(isSyscallName)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return allNames;
}

/** The ABIs on which `name` is a syscall, in ABIS order; empty when it is none anywhere. */
export function abisWithSyscall(name: string): readonly Abi[] {
  if (!Object.hasOwn(ROWS, name)) return [];
  const row = ROWS[name]!;
  return ABIS.filter((abi) => row[COLUMNS.indexOf(ABI_INFO[abi].table)]! >= 0);
}

/** What a syscall name means on one ABI. */
export type SyscallLookup =
  /** A syscall of this ABI, with its number. */
  | { readonly kind: 'syscall'; readonly nr: number }
  /** Not on this ABI but a syscall elsewhere: skipped for this ABI, as runc and libseccomp do. */
  | { readonly kind: 'other-abi'; readonly abis: readonly Abi[] }
  /** A syscall on no ABI: an error in a profile. */
  | { readonly kind: 'unknown' };

/** Resolves `name` on `abi`, telling a syscall of another ABI from a name that is none. */
export function lookupSyscall(abi: Abi, name: string): SyscallLookup {
  const nr = syscallNumber(abi, name);
  if (nr !== undefined) return { kind: 'syscall', nr };
  const abis = abisWithSyscall(name);
  return abis.length > 0 ? { kind: 'other-abi', abis } : { kind: 'unknown' };
}
