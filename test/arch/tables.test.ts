import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ARCHES,
  AUDIT_ARCH,
  archOf,
  syscallName,
  syscallNames,
  syscallNumber,
  X32_SYSCALL_BIT,
} from '../../src/arch/index.js';

describe('syscall tables', () => {
  it('match the kernel headers on this machine', () => {
    const out = mkdtempSync(join(tmpdir(), 'tables-'));
    execFileSync(process.execPath, ['scripts/gen-syscall-tables.mjs', '--out', out]);
    for (const file of readdirSync(out)) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(
        readFileSync(join('src/arch/tables', file), 'utf8'),
      );
    }
  });

  it.each(ARCHES)('resolves every %s name to a number and back', (arch) => {
    const names = syscallNames(arch);
    expect(names.length).toBeGreaterThan(250);
    for (const name of names) {
      const nr = syscallNumber(arch, name);
      expect(nr).toBeTypeOf('number');
      expect(syscallName(arch, nr!)).toBe(name);
    }
  });

  it('knows the well-known numbers', () => {
    expect(syscallNumber('x86_64', 'read')).toBe(0);
    expect(syscallNumber('x86_64', 'execve')).toBe(59);
    expect(syscallNumber('i386', 'execve')).toBe(11);
    expect(syscallNumber('x32', 'execve')).toBe(X32_SYSCALL_BIT + 520);
    expect(syscallNumber('aarch64', 'execve')).toBe(221);
    expect(syscallNumber('aarch64', 'open')).toBeUndefined();
    expect(syscallNumber('x86_64', 'toString')).toBeUndefined();
  });

  it('tells x86_64 from x32 and i386 by audit arch and nr', () => {
    expect(archOf(AUDIT_ARCH.x86_64, 1)).toBe('x86_64');
    expect(archOf(AUDIT_ARCH.x86_64, X32_SYSCALL_BIT | 1)).toBe('x32');
    expect(archOf(AUDIT_ARCH.i386, 4)).toBe('i386');
    expect(archOf(AUDIT_ARCH.aarch64, 64)).toBe('aarch64');
    expect(archOf(0x1234, 1)).toBeUndefined();
  });
});
