// The ABIs the recorder, compiler and enforcer handle today: x86_64 with its i386 and x32 siblings,
// and aarch64. A subset of ABIS (./abis.ts), which lists every ABI a profile may name.
import { ABI_INFO, abiOf } from './abis.js';

/** The ABIs we record, compile and enforce for. x32 shares AUDIT_ARCH_X86_64 and is told apart by X32_SYSCALL_BIT in nr. */
export const ARCHES = ['x86_64', 'i386', 'x32', 'aarch64'] as const;
export type Arch = (typeof ARCHES)[number];

/** AUDIT_ARCH_* values, as seen in seccomp_data.arch and PTRACE_GET_SYSCALL_INFO. */
export const AUDIT_ARCH: Readonly<Record<Arch, number>> = {
  x86_64: ABI_INFO.x86_64.auditArch,
  i386: ABI_INFO.i386.auditArch,
  x32: ABI_INFO.x32.auditArch,
  aarch64: ABI_INFO.aarch64.auditArch,
};

/** Set in nr for x32 syscalls on x86_64 kernels. Table numbers for x32 include it. */
export const X32_SYSCALL_BIT = ABI_INFO.x32.nrBase;

/** Type guard for arch names coming from the edge (CLI flags, JSON). */
export function isArch(value: string): value is Arch {
  return (ARCHES as readonly string[]).includes(value);
}

/** Which of our ABIs a (audit arch, nr) pair belongs to; undefined for other audit arches. */
export function archOf(auditArch: number, nr: number): Arch | undefined {
  const abi = abiOf(auditArch, nr);
  return abi !== undefined && isArch(abi) ? abi : undefined;
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
