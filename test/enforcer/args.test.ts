import { describe, expect, it } from 'vitest';
import { formatArg, formatArgs } from '../../src/enforcer/args.js';

describe('argument formatting', () => {
  it('names the constants of restricted arguments and leaves the rest hex', () => {
    expect(formatArgs('socket', ['0x2', '0x80801', '0x0', '0x7f00', '0x0', '0x0'])).toBe(
      'domain=AF_INET, type=SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0x0, 0x7f00, 0x0, 0x0',
    );
    expect(formatArgs('mprotect', ['0x1000', '0x2000', '0x6', '0x0', '0x0', '0x0'])).toBe(
      '0x1000, 0x2000, prot=PROT_WRITE|PROT_EXEC, 0x0, 0x0, 0x0',
    );
    expect(formatArgs('getppid', ['0x0', '0x0', '0x0', '0x0', '0x0', '0x0'])).toBe(
      '0x0, 0x0, 0x0, 0x0, 0x0, 0x0',
    );
  });

  it('reads 32-bit arguments as 32-bit and shows unknown bits', () => {
    expect(formatArgs('socket', ['0xffffffff0000000a', '0x2', '0', '0', '0', '0'])).toMatch(
      /^domain=AF_INET6, /,
    );
    expect(formatArg('clone', 'flags', 0x10000000n | 0x11n)).toBe('CLONE_NEWUSER (signal 17)');
    expect(formatArg('mmap', 'prot', 0x10n)).toBe('0x10');
    expect(formatArg('mmap', 'prot', 0n)).toBe('PROT_NONE');
  });
});
