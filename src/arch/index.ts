// Per-ABI facts: audit arch tokens and syscall tables (generated from kernel headers).
import { SYSCALLS as AARCH64 } from './tables/aarch64.js';
import { SYSCALLS as I386 } from './tables/i386.js';
import { SYSCALLS as X32 } from './tables/x32.js';
import { SYSCALLS as X86_64 } from './tables/x86_64.js';

/** Every ABI we know. x32 shares AUDIT_ARCH_X86_64 and is told apart by X32_SYSCALL_BIT in nr. */
export const ARCHES = ['x86_64', 'i386', 'x32', 'aarch64'] as const;
export type Arch = (typeof ARCHES)[number];

/** AUDIT_ARCH_* values, as seen in seccomp_data.arch and PTRACE_GET_SYSCALL_INFO. */
export const AUDIT_ARCH = {
  x86_64: 0xc000003e,
  i386: 0x40000003,
  x32: 0xc000003e,
  aarch64: 0xc00000b7,
} as const satisfies Record<Arch, number>;

/** Set in nr for x32 syscalls on x86_64 kernels. Table numbers for x32 include it. */
export const X32_SYSCALL_BIT = 0x40000000;

const TABLES: Record<Arch, Readonly<Record<string, number>>> = {
  x86_64: X86_64,
  i386: I386,
  x32: X32,
  aarch64: AARCH64,
};

const REVERSE = new Map<Arch, Map<number, string>>();
function reverse(arch: Arch): Map<number, string> {
  let map = REVERSE.get(arch);
  if (!map) {
    map = new Map();
    for (const [name, nr] of Object.entries(TABLES[arch])) if (!map.has(nr)) map.set(nr, name);
    REVERSE.set(arch, map);
  }
  return map;
}

/** Type guard for arch names coming from the edge (CLI flags, JSON). */
export function isArch(value: string): value is Arch {
  return (ARCHES as readonly string[]).includes(value);
}

/** Syscall number of `name` on `arch` (x32 numbers include X32_SYSCALL_BIT), or undefined. */
export function syscallNumber(arch: Arch, name: string): number | undefined {
  const table = TABLES[arch];
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Syscall name for `nr` on `arch`, or undefined for numbers the headers do not define. */
export function syscallName(arch: Arch, nr: number): string | undefined {
  return reverse(arch).get(nr);
}

/** A printable name: the table name, or `syscall_<nr>` for unknown numbers. */
export function describeSyscall(arch: Arch, nr: number): string {
  return syscallName(arch, nr) ?? `syscall_${nr}`;
}

/** All syscall names of `arch`, sorted by number. */
export function syscallNames(arch: Arch): readonly string[] {
  return [...reverse(arch).entries()].sort((a, b) => a[0] - b[0]).map(([, name]) => name);
}

/** The full name→number table of `arch`. */
export function syscallTable(arch: Arch): Readonly<Record<string, number>> {
  return TABLES[arch];
}

/** Which ABI a (audit arch, nr) pair belongs to; undefined for foreign audit arches. */
export function archOf(auditArch: number, nr: number): Arch | undefined {
  switch (auditArch >>> 0) {
    case AUDIT_ARCH.x86_64:
      return nr >= 0 && (nr & X32_SYSCALL_BIT) !== 0 ? 'x32' : 'x86_64';
    case AUDIT_ARCH.i386:
      return 'i386';
    case AUDIT_ARCH.aarch64:
      return 'aarch64';
    default:
      return undefined;
  }
}

/** The native ABI of the running Node process. */
export function nativeArch(): Arch {
  switch (process.arch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    case 'ia32':
      return 'i386';
    default:
      throw new Error(`unsupported CPU architecture ${process.arch}`);
  }
}

/** ABIs a process on the native arch can reach: x86_64 kernels also run i386 and x32 calls. */
export function reachableArches(native: Arch = nativeArch()): readonly Arch[] {
  return native === 'x86_64' ? ['x86_64', 'i386', 'x32'] : [native];
}
