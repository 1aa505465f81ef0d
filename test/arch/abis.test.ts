import { describe, expect, it } from 'vitest';
import {
  ABI_INFO,
  ABIS,
  AUDIT_ARCH,
  abiOf,
  abiOfScmpArch,
  archOf,
  describeSyscall,
  isAbi,
  syscallNumber,
  syscallTable,
  X32_SYSCALL_BIT,
} from '../../src/arch/index.js';

// AUDIT_ARCH_* values as linux/audit.h spells them out (libseccomp's SCMP_ARCH_SH is AUDIT_ARCH_SHEL).
const AUDIT: Record<string, number> = {
  x86_64: 0xc000003e,
  i386: 0x40000003,
  x32: 0xc000003e,
  aarch64: 0xc00000b7,
  arm: 0x40000028,
  loongarch64: 0xc0000102,
  m68k: 0x00000004,
  mips: 0x00000008,
  mipsel: 0x40000008,
  mips64: 0x80000008,
  mipsel64: 0xc0000008,
  mips64n32: 0xa0000008,
  mipsel64n32: 0xe0000008,
  parisc: 0x0000000f,
  parisc64: 0x8000000f,
  ppc: 0x00000014,
  ppc64: 0x80000015,
  ppc64le: 0xc0000015,
  riscv64: 0xc00000f3,
  s390: 0x00000016,
  s390x: 0x80000016,
  sh: 0x4000002a,
  sheb: 0x0000002a,
};

describe('ABIs', () => {
  it('covers every ABI libseccomp knows, with the audit arch the kernel reports', () => {
    expect([...ABIS].sort()).toEqual(Object.keys(AUDIT).sort());
    for (const abi of ABIS) expect(ABI_INFO[abi].auditArch, abi).toBe(AUDIT[abi]);
  });

  it('spells each one as Docker and OCI profiles do, once', () => {
    const names = ABIS.map((abi) => ABI_INFO[abi].scmpArch);
    expect(new Set(names).size).toBe(ABIS.length);
    expect(abiOfScmpArch('SCMP_ARCH_X86')).toBe('i386');
    expect(abiOfScmpArch('SCMP_ARCH_PPC64LE')).toBe('ppc64le');
    expect(abiOfScmpArch('SCMP_ARCH_SHEB')).toBe('sheb');
    expect(abiOfScmpArch('SCMP_ARCH_MIPSEL64N32')).toBe('mipsel64n32');
    expect(abiOfScmpArch('SCMP_ARCH_X86_64 ')).toBeUndefined();
  });

  it('endian variants share a table and numbers, not an audit arch', () => {
    for (const [le, be] of [
      ['mipsel', 'mips'],
      ['mipsel64', 'mips64'],
      ['mipsel64n32', 'mips64n32'],
      ['ppc64le', 'ppc64'],
      ['sh', 'sheb'],
    ] as const) {
      expect(ABI_INFO[le].table).toBe(ABI_INFO[be].table);
      expect(syscallTable(le)).toEqual(syscallTable(be));
      expect(ABI_INFO[le].auditArch).not.toBe(ABI_INFO[be].auditArch);
    }
  });

  it('numbers carry the ABI’s base, as seccomp_data.nr does', () => {
    expect(syscallNumber('x86_64', 'execve')).toBe(59);
    expect(syscallNumber('i386', 'execve')).toBe(11);
    expect(syscallNumber('x32', 'execve')).toBe(X32_SYSCALL_BIT + 520);
    expect(syscallNumber('aarch64', 'execve')).toBe(221);
    expect(syscallNumber('arm', 'execve')).toBe(11);
    expect(syscallNumber('arm', 'breakpoint')).toBe(0x0f0001);
    expect(syscallNumber('mips', 'execve')).toBe(4011);
    expect(syscallNumber('mipsel64', 'execve')).toBe(5057);
    expect(syscallNumber('mips64n32', 'execve')).toBe(6057);
    expect(syscallNumber('s390x', 'execve')).toBe(11);
    expect(describeSyscall('mips', 4000)).toBe('syscall');
    expect(describeSyscall('x86_64', 4000)).toBe('syscall_4000');
  });

  it('tells ABIs apart by audit arch and nr', () => {
    expect(abiOf(AUDIT.x86_64!, 1)).toBe('x86_64');
    expect(abiOf(AUDIT.x86_64!, X32_SYSCALL_BIT | 1)).toBe('x32');
    expect(abiOf(AUDIT.x86_64!, -1)).toBe('x86_64');
    expect(abiOf(AUDIT.mipsel64n32!, 6000)).toBe('mipsel64n32');
    expect(abiOf(AUDIT.sh!, 3)).toBe('sh');
    expect(abiOf(0x1234, 1)).toBeUndefined();
    expect(isAbi('ppc64le')).toBe(true);
    expect(isAbi('toString')).toBe(false);
  });

  it('keeps the four ABIs the pipeline uses, and their AUDIT_ARCH values', () => {
    expect(AUDIT_ARCH).toEqual({
      x86_64: AUDIT.x86_64,
      i386: AUDIT.i386,
      x32: AUDIT.x32,
      aarch64: AUDIT.aarch64,
    });
    expect(archOf(AUDIT.x86_64!, X32_SYSCALL_BIT | 1)).toBe('x32');
    expect(archOf(AUDIT.i386!, 4)).toBe('i386');
    expect(archOf(AUDIT.aarch64!, 64)).toBe('aarch64');
    expect(archOf(AUDIT.arm!, 4)).toBeUndefined();
  });
});
