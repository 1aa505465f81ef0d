import { describe, expect, it } from 'vitest';
import {
  abisWithSyscall,
  allSyscallNames,
  describeSyscall,
  highestSyscallNumber,
  isSyscallName,
  lookupSyscall,
  syscallName,
  syscallNumber,
  unnamedNumbersAbove,
  X32_SYSCALL_BIT,
} from '../../src/arch/index.js';

describe('syscall names', () => {
  it('names the calls newer than Debian 12’s headers (451 and up) on the x86 ABIs and aarch64', () => {
    const newer = {
      cachestat: 451,
      fchmodat2: 452,
      futex_wake: 454,
      lsm_get_self_attr: 459,
      mseal: 462,
      listns: 470,
    };
    for (const [name, nr] of Object.entries(newer)) {
      for (const abi of ['x86_64', 'i386', 'aarch64'] as const)
        expect(syscallNumber(abi, name), abi).toBe(nr);
      expect(syscallNumber('x32', name)).toBe(X32_SYSCALL_BIT + nr);
      expect(describeSyscall('x86_64', nr)).toBe(name);
    }
    expect(highestSyscallNumber('x86_64')).toBe(471);
    expect(syscallName('x86_64', 471)).toBe('rseq_slice_yield');
    expect(highestSyscallNumber('x32')).toBe(X32_SYSCALL_BIT + 471);
    expect(highestSyscallNumber('mips64')).toBe(5471);
    expect(highestSyscallNumber('arm')).toBe(471);
  });

  it('lists the numbers above each table that no name takes, up to the ABI’s last number', () => {
    expect(unnamedNumbersAbove('x86_64')).toEqual([[472, X32_SYSCALL_BIT - 1]]);
    expect(unnamedNumbersAbove('i386')).toEqual([[472, 0x7fffffff]]);
    // x32's own calls (512–547) are named: not "newer than the table".
    expect(unnamedNumbersAbove('x32')).toEqual([
      [X32_SYSCALL_BIT + 472, X32_SYSCALL_BIT + 511],
      [X32_SYSCALL_BIT + 548, 0x7fffffff],
    ]);
    // ARM's private calls start at 0x0f0001 (breakpoint).
    expect(unnamedNumbersAbove('arm')[0]).toEqual([472, 0x0f0000]);
  });

  it('keeps the kernel’s spellings where headers and libseccomp agree', () => {
    expect(syscallNumber('i386', '_newselect')).toBe(142);
    expect(syscallNumber('i386', '_llseek')).toBe(140);
    expect(syscallNumber('i386', 'umount')).toBe(22);
    expect(syscallNumber('i386', 'umount2')).toBe(52);
    expect(syscallNumber('x86_64', 'umount')).toBeUndefined();
    expect(syscallNumber('x86_64', 'newfstatat')).toBe(262);
    expect(syscallNumber('i386', 'fstatat64')).toBe(300);
    expect(syscallNumber('aarch64', 'newfstatat')).toBe(79);
    expect(syscallNumber('aarch64', 'fstatat')).toBeUndefined();
    expect(syscallNumber('x32', 'rt_sigaction')).toBe(X32_SYSCALL_BIT + 512);
    // A header artifact (the base of arm64's own calls), not a syscall.
    expect(syscallNumber('aarch64', 'arch_specific_syscall')).toBeUndefined();
  });

  it('tells a syscall of another ABI from a name that is none', () => {
    expect(lookupSyscall('x86_64', 'fchmodat2')).toEqual({ kind: 'syscall', nr: 452 });
    expect(lookupSyscall('x86_64', 'pciconfig_iobase')).toEqual({
      kind: 'other-abi',
      abis: abisWithSyscall('pciconfig_iobase'),
    });
    expect(abisWithSyscall('pciconfig_iobase')).toEqual(['arm', 'ppc', 'ppc64', 'ppc64le']);
    expect(lookupSyscall('i386', 'arch_prctl')).toEqual({ kind: 'syscall', nr: 384 });
    expect(lookupSyscall('aarch64', 'open').kind).toBe('other-abi');
    expect(lookupSyscall('x86_64', 'opne')).toEqual({ kind: 'unknown' });
    expect(lookupSyscall('x86_64', 'toString')).toEqual({ kind: 'unknown' });
    expect(isSyscallName('riscv_flush_icache')).toBe(true);
    expect(isSyscallName('hasOwnProperty')).toBe(false);
  });

  it('lists every name once, sorted, as candidates for suggestions', () => {
    const names = allSyscallNames();
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    expect(names).toContain('s390_runtime_instr');
    expect(names.length).toBeGreaterThan(500);
  });
});
