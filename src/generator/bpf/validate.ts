// Structural validation of classic BPF, as the kernel's bpf_check_classic() does it.
import { ProfilerError } from '../../errors.js';
import {
  ABS,
  ADD,
  ALU,
  AND,
  B,
  classOf,
  DIV,
  H,
  IMM,
  IND,
  type Instruction,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  K,
  LD,
  LDX,
  LEN,
  LSH,
  MAX_INSNS,
  MEM,
  MEM_WORDS,
  MISC,
  MOD,
  MSH,
  MUL,
  NEG,
  OR,
  RET,
  RET_A,
  RSH,
  ST,
  STX,
  SUB,
  TAX,
  TXA,
  type ValidatedProgram,
  W,
  X,
  XOR,
} from './types.js';

const VALID_CODES: ReadonlySet<number> = new Set([
  LD | W | ABS,
  LD | H | ABS,
  LD | B | ABS,
  LD | W | IND,
  LD | H | IND,
  LD | B | IND,
  LD | W | LEN,
  LD | W | IMM,
  LD | W | MEM,
  LDX | W | IMM,
  LDX | W | MEM,
  LDX | W | LEN,
  LDX | B | MSH,
  ST,
  STX,
  ...[ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR].flatMap((op) => [ALU | op | K, ALU | op | X]),
  ALU | NEG,
  JMP | JA,
  ...[JEQ, JGT, JGE, JSET].flatMap((op) => [JMP | op | K, JMP | op | X]),
  RET | K,
  RET | RET_A,
  MISC | TAX,
  MISC | TXA,
]);

/** Why `p` is not a valid classic BPF program, or undefined when it is. */
export function programProblem(p: readonly Instruction[]): string | undefined {
  if (p.length === 0) return 'the program is empty';
  if (p.length > MAX_INSNS)
    return `the program has ${p.length} instructions; the kernel accepts at most ${MAX_INSNS}`;
  for (let pc = 0; pc < p.length; pc++) {
    const { code, jt, jf, k } = p[pc]!;
    const at = `instruction ${pc}`;
    if (![code, jt, jf, k].every(Number.isInteger)) return `${at} has a non-integer field`;
    if (code < 0 || code > 0xffff || jt < 0 || jt > 0xff || jf < 0 || jf > 0xff || k < 0 || k > 0xffffffff) {
      return `${at} has a field out of range`;
    }
    if (!VALID_CODES.has(code)) return `${at} has unknown opcode 0x${code.toString(16)}`;
    const memIndex = code === (LD | W | MEM) || code === (LDX | W | MEM) || code === ST || code === STX;
    if (memIndex && k >= MEM_WORDS) return `${at} uses scratch memory slot ${k} (only 0-${MEM_WORDS - 1})`;
    if ((code === (ALU | DIV | K) || code === (ALU | MOD | K)) && k === 0) return `${at} divides by zero`;
    const left = p.length - pc - 1;
    if (code === (JMP | JA)) {
      if (k >= left) return `${at} jumps past the end`;
    } else if (classOf(code) === JMP) {
      if (jt >= left || jf >= left) return `${at} jumps past the end`;
    }
  }
  const lastCode = p[p.length - 1]!.code;
  if (lastCode !== (RET | K) && lastCode !== (RET | RET_A)) return 'the program does not end with a return';
  return undefined;
}

/** Checks `p` like the kernel does and brands it; ProfilerError('BAD_INPUT') says what is wrong. */
export function validateProgram(p: readonly Instruction[]): ValidatedProgram {
  const problem = programProblem(p);
  if (problem !== undefined) {
    throw new ProfilerError(
      p.length > MAX_INSNS ? 'TOO_LARGE' : 'BAD_INPUT',
      `invalid BPF program: ${problem}`,
    );
  }
  return Object.freeze(
    p.map((i) => Object.freeze({ code: i.code, jt: i.jt, jf: i.jf, k: i.k })),
  ) as unknown as ValidatedProgram;
}
