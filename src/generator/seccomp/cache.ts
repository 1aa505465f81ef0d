// The kernel's seccomp action cache (Linux >= 5.11, kernel/seccomp.c: seccomp_is_const_allow).
import {
  ABS,
  ALU,
  AND,
  type Instruction,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  LD,
  opOf,
  RET,
  W,
} from '../bpf/types.js';
import { ARCH_OFFSET, NR_OFFSET } from './data.js';

/**
 * The value `p` returns for (auditArch, nr) when that is decided by nr and arch alone, emulated the
 * way Linux (>= 5.11) builds its seccomp action cache; undefined when the path loads anything else
 * (argument, instruction pointer) or uses an instruction the kernel's emulator does not follow.
 */
export function constantResult(p: readonly Instruction[], auditArch: number, nr: number): number | undefined {
  let a = 0;
  let pc = 0;
  for (;;) {
    const insn = p[pc];
    if (insn === undefined) return undefined;
    const { code, k } = insn;
    pc++;
    if (code === (LD | W | ABS)) {
      if (k === NR_OFFSET) a = nr >>> 0;
      else if (k === ARCH_OFFSET) a = auditArch >>> 0;
      else return undefined;
    } else if (code === (RET | 0x00)) {
      return k >>> 0;
    } else if (code === (JMP | JA)) {
      pc += k;
    } else if (
      code === (JMP | JEQ) ||
      code === (JMP | JGE) ||
      code === (JMP | JGT) ||
      code === (JMP | JSET)
    ) {
      const op = opOf(code);
      const taken = op === JEQ ? a === k : op === JGE ? a >= k : op === JGT ? a > k : (a & k) !== 0;
      pc += taken ? insn.jt : insn.jf;
    } else if (code === (ALU | AND)) {
      a = (a & k) >>> 0;
    } else {
      return undefined;
    }
  }
}
