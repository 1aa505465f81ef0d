// Syscall names across our ABIs, and "did you mean" suggestions for names we do not know.
import { ARCHES, type Arch, syscallNumber, syscallTable } from '../../arch/index.js';

/**
 * Names that are real syscalls on ABIs we have no table for (arm, s390, ppc, mips, riscv) or that
 * newer kernels added after the headers our tables come from. A profile may name them; like libseccomp,
 * we skip them on ABIs that lack them instead of failing.
 */
const KNOWN_ELSEWHERE = [
  // added after the installed kernel headers
  'cachestat',
  'fchmodat2',
  'map_shadow_stack',
  'futex_wake',
  'futex_wait',
  'futex_requeue',
  'statmount',
  'listmount',
  'lsm_get_self_attr',
  'lsm_set_self_attr',
  'lsm_list_modules',
  'mseal',
  'setxattrat',
  'getxattrat',
  'listxattrat',
  'removexattrat',
  'open_tree_attr',
  'file_getattr',
  'file_setattr',
  'uretprobe',
  // other ABIs
  'recv',
  'send',
  'arm_fadvise64_64',
  'arm_sync_file_range',
  'sync_file_range2',
  'breakpoint',
  'cacheflush',
  'set_tls',
  'usr26',
  'usr32',
  'swapcontext',
  'switch_endian',
  'sys_debug_setcontext',
  'subpage_prot',
  'spu_create',
  'spu_run',
  'multiplexer',
  'rtas',
  's390_pci_mmio_read',
  's390_pci_mmio_write',
  's390_runtime_instr',
  's390_guarded_storage',
  's390_sthyi',
  'riscv_flush_icache',
  'riscv_hwprobe',
  'sysmips',
  'cachectl',
  'atomic_barrier',
  'atomic_cmpxchg_32',
  'or1k_atomic',
] as const;

let allNames: Set<string> | undefined;

/** Every syscall name we accept in a profile: any of our tables, or KNOWN_ELSEWHERE. */
export function knownSyscallNames(): ReadonlySet<string> {
  if (!allNames) {
    allNames = new Set<string>(KNOWN_ELSEWHERE);
    for (const arch of ARCHES) for (const name of Object.keys(syscallTable(arch))) allNames.add(name);
  }
  return allNames;
}

/** True when `name` is a syscall on some ABI (not necessarily on one the policy targets). */
export function isKnownSyscall(name: string): boolean {
  return knownSyscallNames().has(name);
}

/** True when `name` is a syscall of `arch`. */
export function existsOn(arch: Arch, name: string): boolean {
  return syscallNumber(arch, name) !== undefined;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` known names closest to `name` (edit distance, then prefix/substring matches). */
export function nearestNames(
  name: string,
  candidates: Iterable<string> = knownSyscallNames(),
  max = 3,
): string[] {
  const scored: { name: string; score: number }[] = [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    let score = distance(name, c);
    if (score > limit && (c.startsWith(name) || name.startsWith(c))) score = limit;
    if (score <= limit) scored.push({ name: c, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** ` (did you mean a, b?)` or '' — to append to an error message. */
export function suggestion(name: string, candidates?: Iterable<string>): string {
  const near = nearestNames(name, candidates);
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}
