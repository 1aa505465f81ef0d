// The seccomp listing names seccomp_data words, audit arches, syscalls and actions.
import { describe, expect, it } from 'vitest';
import { ABS, JEQ, JMP, jump, K, LD, RET, stmt, W } from '../../../src/generator/bpf/types.js';
import { disassembleSeccomp } from '../../../src/generator/seccomp/disasm.js';

describe('disassembleSeccomp', () => {
  it('names seccomp fields, arches, syscalls and actions', () => {
    const text = disassembleSeccomp([
      stmt(LD | W | ABS, 4),
      jump(JMP | JEQ | K, 0xc000003e, 0, 4),
      stmt(LD | W | ABS, 0),
      jump(JMP | JEQ | K, 59, 1, 0),
      stmt(RET | K, 0x50001),
      stmt(RET | K, 0x7fff0000),
      stmt(RET | K, 0x80000000),
    ]);
    expect(text).toContain('A = arch');
    expect(text).toContain('if (A != ARCH_X86_64) goto 0006');
    expect(text).toContain('A = sys_number');
    expect(text).toContain('if (A == execve) goto 0005');
    expect(text).toContain('return ERRNO(1) EPERM');
    expect(text).toContain('return ALLOW');
    expect(text).toContain('return KILL_PROCESS');
  });
});
