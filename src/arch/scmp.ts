// libseccomp's names for ABIs (SCMP_ARCH_*), as Docker/OCI profiles and libseccomp C spell them.
// The names themselves live with the other ABI facts in ./abis.ts.
import { ABI_INFO, ABIS } from './abis.js';
import { ARCHES, type Arch, isArch } from './arches.js';

/** SCMP_ARCH_* names of the ABIs we record, compile and enforce for. */
export const SCMP_ARCH: Readonly<Record<Arch, string>> = {
  x86_64: ABI_INFO.x86_64.scmpArch,
  i386: ABI_INFO.i386.scmpArch,
  x32: ABI_INFO.x32.scmpArch,
  aarch64: ABI_INFO.aarch64.scmpArch,
};

/** SCMP_ARCH_* names of the other ABIs libseccomp knows: skipped, not an error. */
export const FOREIGN_SCMP_ARCHES: readonly string[] = ABIS.filter((abi) => !isArch(abi)).map(
  (abi) => ABI_INFO[abi].scmpArch,
);

/** The ABI a SCMP_ARCH_* name stands for, when it is one we compile for. */
export function archOfScmp(name: string): Arch | undefined {
  return ARCHES.find((a) => SCMP_ARCH[a] === name);
}

/**
 * The value of SCMP_ARCH_<abi> in libseccomp's API (seccomp_arch_add, …_resolve_name_arch): the
 * audit arch, except for x32, whose token is EM_X86_64 | __AUDIT_ARCH_LE (its filters still see
 * AUDIT_ARCH_X86_64 with X32_SYSCALL_BIT in nr).
 */
export function scmpArchToken(arch: Arch): number {
  return arch === 'x32' ? (ABI_INFO.x32.auditArch & ~0x80000000) >>> 0 : ABI_INFO[arch].auditArch;
}
