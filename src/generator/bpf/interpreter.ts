// A classic-BPF interpreter with the kernel's semantics (32-bit unsigned arithmetic, loads out of
// bounds and division by zero end the program with 0). It can count executed instructions.
import {
  ABS,
  ADD,
  ALU,
  AND,
  classOf,
  DIV,
  IMM,
  IND,
  isTxa,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  LD,
  LDX,
  LEN,
  LSH,
  MEM,
  MEM_WORDS,
  MISC,
  MOD,
  MSH,
  MUL,
  modeOf,
  NEG,
  OR,
  opOf,
  RET,
  RET_A,
  RSH,
  returnOperand,
  ST,
  STX,
  SUB,
  sizeBytes,
  usesX,
  type ValidatedProgram,
  X,
  XOR,
} from './types.js';

/** Counters filled in by runFilter when passed. */
export interface RunStats {
  /** Instructions executed, including the final return. */
  executed: number;
}

/** Options of runFilter. */
export interface RunOptions {
  /** Byte order of word and half-word loads: seccomp reads its data in host order (little). */
  readonly byteOrder?: 'little' | 'big';
  readonly stats?: RunStats;
}

/**
 * Runs `p` over `data` and returns the 32-bit value of the RET it reaches. `p` is trusted to be
 * valid (validateProgram); a malformed jump throws rather than reading past the end.
 */
export function runFilter(p: ValidatedProgram, data: Uint8Array, opts: RunOptions = {}): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const little = (opts.byteOrder ?? 'little') === 'little';
  const mem = new Uint32Array(MEM_WORDS);
  let a = 0;
  let x = 0;
  let pc = 0;
  let executed = 0;
  const finish = (value: number): number => {
    if (opts.stats) opts.stats.executed += executed;
    return value >>> 0;
  };
  const load = (off: number, size: number): number | undefined => {
    if (off < 0 || off + size > data.byteLength) return undefined;
    if (size === 4) return view.getUint32(off, little);
    if (size === 2) return view.getUint16(off, little);
    return view.getUint8(off);
  };
  for (;;) {
    const insn = p[pc];
    if (insn === undefined) throw new Error(`BPF program ran past its end at ${pc}`);
    executed++;
    pc++;
    const { code, k } = insn;
    switch (classOf(code)) {
      case LD:
      case LDX: {
        const isX = classOf(code) === LDX;
        const mode = modeOf(code);
        const size = sizeBytes(code);
        let v: number | undefined;
        if (mode === IMM) v = k;
        else if (mode === LEN) v = data.byteLength;
        else if (mode === MEM) v = mem[k & 15]!;
        else if (mode === ABS) v = load(k, size);
        else if (mode === IND) v = load((x + k) >>> 0, size);
        else if (mode === MSH) {
          const b = load(k, 1);
          v = b === undefined ? undefined : (b & 0xf) << 2;
        }
        if (v === undefined) return finish(0);
        if (isX) x = v >>> 0;
        else a = v >>> 0;
        break;
      }
      case ST:
        mem[k & 15] = a;
        break;
      case STX:
        mem[k & 15] = x;
        break;
      case ALU: {
        const src = usesX(code) ? x : k;
        switch (opOf(code)) {
          case ADD:
            a = (a + src) >>> 0;
            break;
          case SUB:
            a = (a - src) >>> 0;
            break;
          case MUL:
            a = Math.imul(a, src) >>> 0;
            break;
          case DIV:
            if (src === 0) return finish(0);
            a = Math.floor(a / src) >>> 0;
            break;
          case MOD:
            if (src === 0) return finish(0);
            a = (a % src) >>> 0;
            break;
          case OR:
            a = (a | src) >>> 0;
            break;
          case AND:
            a = (a & src) >>> 0;
            break;
          case XOR:
            a = (a ^ src) >>> 0;
            break;
          case LSH:
            a = src >= 32 ? 0 : (a << src) >>> 0;
            break;
          case RSH:
            a = src >= 32 ? 0 : a >>> src;
            break;
          case NEG:
            a = -a >>> 0;
            break;
          default:
            throw new Error(`unknown ALU opcode 0x${code.toString(16)} at ${pc - 1}`);
        }
        break;
      }
      case JMP: {
        const op = opOf(code);
        if (op === JA) {
          pc += k;
          break;
        }
        const src = usesX(code) ? x : k;
        let taken: boolean;
        if (op === JEQ) taken = a === src;
        else if (op === JGT) taken = a > src;
        else if (op === JGE) taken = a >= src;
        else if (op === JSET) taken = (a & src) !== 0;
        else throw new Error(`unknown jump opcode 0x${code.toString(16)} at ${pc - 1}`);
        pc += taken ? insn.jt : insn.jf;
        break;
      }
      case RET: {
        const src = returnOperand(code);
        return finish(src === RET_A ? a : src === X ? x : k);
      }
      case MISC:
        if (isTxa(code)) a = x;
        else x = a;
        break;
      default:
        throw new Error(`unknown opcode 0x${code.toString(16)} at ${pc - 1}`);
    }
  }
}
