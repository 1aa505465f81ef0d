// libseccomp's names for ABIs (SCMP_ARCH_*), as Docker/OCI profiles and libseccomp C spell them.
import type { Arch } from './index.js';

/** SCMP_ARCH_* names of the ABIs we have syscall tables for. */
export const SCMP_ARCH: Readonly<Record<Arch, string>> = {
  x86_64: 'SCMP_ARCH_X86_64',
  i386: 'SCMP_ARCH_X86',
  x32: 'SCMP_ARCH_X32',
  aarch64: 'SCMP_ARCH_AARCH64',
};

/** SCMP_ARCH_* names libseccomp knows but we have no syscall table for: skipped, not an error. */
export const FOREIGN_SCMP_ARCHES: readonly string[] = [
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
];

/** The ABI a SCMP_ARCH_* name stands for, when we have its table. */
export function archOfScmp(name: string): Arch | undefined {
  return (Object.keys(SCMP_ARCH) as Arch[]).find((a) => SCMP_ARCH[a] === name);
}
