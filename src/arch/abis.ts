// Every syscall ABI libseccomp (and so Docker, OCI and runc) knows: its AUDIT_ARCH_* value (what a
// filter sees in seccomp_data.arch), its SCMP_ARCH_* spelling in profiles, the libseccomp table it
// uses and the base its numbers carry. Endian variants share a table (mipsel/mips, ppc64le/ppc64,
// sh/sheb) but not an audit arch. Facts from linux/audit.h, libseccomp's include/seccomp.h.in and
// src/arch-*.c.
import type { COLUMNS } from './tables/syscalls.js';

/** A column of the syscall table: libseccomp's name for a table several ABIs may share. */
export type SyscallTableName = (typeof COLUMNS)[number];

/** One syscall ABI. */
export interface AbiInfo {
  /** libseccomp's table for this ABI. */
  readonly table: SyscallTableName;
  /** AUDIT_ARCH_* as in seccomp_data.arch. x32 shares x86_64's and sets nrBase in nr instead. */
  readonly auditArch: number;
  /** The SCMP_ARCH_* name Docker and OCI profiles use. */
  readonly scmpArch: string;
  /** Added to the table's raw numbers: x32's X32_SYSCALL_BIT, mips o32/n64/n32's 4000/5000/6000. */
  readonly nrBase: number;
  /**
   * Raw numbers from here up form a block of the ABI's own outside the shared numbering: x32's
   * calls at 512–547, ARM's private calls at 0x0f0000 (__ARM_NR_BASE).
   */
  readonly ownBlockFrom?: number;
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
}

// ELF machine numbers (EM_*) and AUDIT_ARCH_* flag bits, as linux/audit.h combines them.
const LE = 0x40000000;
const B64 = 0x80000000;
const MIPS_N32 = 0x20000000;
const EM_386 = 3;
const EM_68K = 4;
const EM_MIPS = 8;
const EM_PARISC = 15;
const EM_PPC = 20;
const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_ARM = 40;
const EM_SH = 42;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;
const EM_LOONGARCH = 258;

const abi = (
  table: SyscallTableName,
  auditArch: number,
  scmpArch: string,
  bits: 32 | 64,
  endian: 'little' | 'big',
  nrBase = 0,
): AbiInfo => ({ table, auditArch: auditArch >>> 0, scmpArch, nrBase, bits, endian });

/** Every ABI, keyed by the name we use for it (i386 is libseccomp's x86; sh is little-endian). */
export const ABI_INFO = {
  x86_64: abi('x86_64', EM_X86_64 | B64 | LE, 'SCMP_ARCH_X86_64', 64, 'little'),
  i386: abi('x86', EM_386 | LE, 'SCMP_ARCH_X86', 32, 'little'),
  x32: { ...abi('x32', EM_X86_64 | B64 | LE, 'SCMP_ARCH_X32', 32, 'little', 0x40000000), ownBlockFrom: 512 },
  aarch64: abi('aarch64', EM_AARCH64 | B64 | LE, 'SCMP_ARCH_AARCH64', 64, 'little'),
  arm: { ...abi('arm', EM_ARM | LE, 'SCMP_ARCH_ARM', 32, 'little'), ownBlockFrom: 0x0f0000 },
  loongarch64: abi('loongarch64', EM_LOONGARCH | B64 | LE, 'SCMP_ARCH_LOONGARCH64', 64, 'little'),
  m68k: abi('m68k', EM_68K, 'SCMP_ARCH_M68K', 32, 'big'),
  mips: abi('mips', EM_MIPS, 'SCMP_ARCH_MIPS', 32, 'big', 4000),
  mipsel: abi('mips', EM_MIPS | LE, 'SCMP_ARCH_MIPSEL', 32, 'little', 4000),
  mips64: abi('mips64', EM_MIPS | B64, 'SCMP_ARCH_MIPS64', 64, 'big', 5000),
  mipsel64: abi('mips64', EM_MIPS | B64 | LE, 'SCMP_ARCH_MIPSEL64', 64, 'little', 5000),
  mips64n32: abi('mips64n32', EM_MIPS | B64 | MIPS_N32, 'SCMP_ARCH_MIPS64N32', 32, 'big', 6000),
  mipsel64n32: abi('mips64n32', EM_MIPS | B64 | LE | MIPS_N32, 'SCMP_ARCH_MIPSEL64N32', 32, 'little', 6000),
  parisc: abi('parisc', EM_PARISC, 'SCMP_ARCH_PARISC', 32, 'big'),
  parisc64: abi('parisc64', EM_PARISC | B64, 'SCMP_ARCH_PARISC64', 64, 'big'),
  ppc: abi('ppc', EM_PPC, 'SCMP_ARCH_PPC', 32, 'big'),
  ppc64: abi('ppc64', EM_PPC64 | B64, 'SCMP_ARCH_PPC64', 64, 'big'),
  ppc64le: abi('ppc64', EM_PPC64 | B64 | LE, 'SCMP_ARCH_PPC64LE', 64, 'little'),
  riscv64: abi('riscv64', EM_RISCV | B64 | LE, 'SCMP_ARCH_RISCV64', 64, 'little'),
  s390: abi('s390', EM_S390, 'SCMP_ARCH_S390', 32, 'big'),
  s390x: abi('s390x', EM_S390 | B64, 'SCMP_ARCH_S390X', 64, 'big'),
  sh: abi('sh', EM_SH | LE, 'SCMP_ARCH_SH', 32, 'little'),
  sheb: abi('sh', EM_SH, 'SCMP_ARCH_SHEB', 32, 'big'),
} as const satisfies Record<string, AbiInfo>;

/** Name of a syscall ABI. */
export type Abi = keyof typeof ABI_INFO;

/** Every ABI, x86 family first. */
export const ABIS = Object.keys(ABI_INFO) as readonly Abi[];

/** Type guard for ABI names coming from the edge. */
export function isAbi(value: string): value is Abi {
  return Object.hasOwn(ABI_INFO, value);
}

/** The ABI a profile means by `SCMP_ARCH_…`, or undefined for names libseccomp does not know. */
export function abiOfScmpArch(scmpArch: string): Abi | undefined {
  return ABIS.find((a) => ABI_INFO[a].scmpArch === scmpArch);
}

/**
 * Which ABI a (seccomp_data.arch, nr) pair belongs to. x86_64 and x32 share an audit arch; x32
 * calls set X32_SYSCALL_BIT in nr (nr -1, a skipped call, is x86_64's).
 */
export function abiOf(auditArch: number, nr: number): Abi | undefined {
  const audit = auditArch >>> 0;
  if (audit === ABI_INFO.x86_64.auditArch)
    return nr >= 0 && (nr & ABI_INFO.x32.nrBase) !== 0 ? 'x32' : 'x86_64';
  return ABIS.find((a) => ABI_INFO[a].auditArch === audit);
}
