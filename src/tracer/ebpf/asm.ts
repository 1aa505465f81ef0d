// An eBPF assembler with symbolic labels, on the pattern of the classic-BPF builder in
// src/generator/bpf (which the tracer may not import): instructions name labels, and assemble()
// resolves every jump in one pass. eBPF jumps have 16-bit offsets and may go backwards, so no
// trampolines are needed; what assemble() checks is that every label is bound once and in range.
import { type Label, Labels } from '../../util/labels.js';
import {
  ALU,
  ALU64,
  type AluOp,
  ATOMIC,
  CALL,
  DW,
  EXIT,
  encodeInsns,
  FETCH,
  IMM,
  type Insn,
  JA,
  JMP,
  JMP32,
  type JmpOp,
  K,
  LD,
  LDX,
  MEM,
  MOV,
  PSEUDO_FUNC,
  PSEUDO_MAP_FD,
  type Reg,
  type Size,
  ST,
  STX,
  type W,
  X,
  XCHG,
} from './insn.js';

export type { Label };

/** A register or a 32-bit immediate (sign-extended to 64 bits by ALU64 and JMP). */
export type Operand = Reg | number;

interface Slot {
  readonly insn: Insn;
  /** For jumps: the label the offset is computed against. */
  readonly to?: Label;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function imm32(value: number): number {
  if (!Number.isInteger(value) || value < INT32_MIN || value > 0xffffffff) {
    throw new Error(`immediate ${value} does not fit in 32 bits`);
  }
  return value > INT32_MAX ? value - 0x100000000 : value;
}

function off16(value: number): number {
  if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
    throw new Error(`offset ${value} does not fit in 16 bits`);
  }
  return value;
}

function isReg(op: Operand): op is Reg {
  return typeof op === 'object';
}

/** An eBPF program. The finished program is raw `struct bpf_insn[]` bytes for BPF_PROG_LOAD. */
export class EbpfAssembler {
  private readonly slots: Slot[] = [];
  private readonly labels = new Labels();

  /** A fresh, unbound label. */
  label(name = 'L'): Label {
    return this.labels.create(name);
  }

  /** Binds `label` to the next instruction emitted. A label is bound once. */
  bind(label: Label): this {
    this.labels.bind(label, this.slots.length);
    return this;
  }

  /** The instruction index `label` is bound to. */
  positionOf(label: Label): number {
    return this.labels.positionOf(label);
  }

  /** Instruction slots emitted so far (ld_imm64 counts two). */
  get length(): number {
    return this.slots.length;
  }

  private push(code: number, dst: Reg | 0, src: Reg | 0, off: number, imm: number, to?: Label): this {
    const d = dst === 0 ? 0 : dst.reg;
    const s = src === 0 ? 0 : src.reg;
    this.slots.push({
      insn: { code, dst: d, src: s, off: off16(off), imm: imm32(imm) },
      ...(to ? { to } : {}),
    });
    return this;
  }

  /** 64-bit ALU: `dst = dst OP src` (MOV: `dst = src`). */
  alu64(op: AluOp, dst: Reg, src: Operand): this {
    return isReg(src) ? this.push(ALU64 | op | X, dst, src, 0, 0) : this.push(ALU64 | op | K, dst, 0, 0, src);
  }

  /** 32-bit ALU: the result is zero-extended into the 64-bit register. */
  alu32(op: AluOp, dst: Reg, src: Operand): this {
    return isReg(src) ? this.push(ALU | op | X, dst, src, 0, 0) : this.push(ALU | op | K, dst, 0, 0, src);
  }

  /** `dst = src` (64-bit). */
  mov(dst: Reg, src: Operand): this {
    return this.alu64(MOV, dst, src);
  }

  /** `dst = *(size *)(src + off)`. */
  ldx(size: Size, dst: Reg, src: Reg, off: number): this {
    return this.push(LDX | MEM | size, dst, src, off, 0);
  }

  /** `*(size *)(dst + off) = src` for a register, or an immediate (sign-extended for DW). */
  st(size: Size, dst: Reg, off: number, src: Operand): this {
    return isReg(src)
      ? this.push(STX | MEM | size, dst, src, off, 0)
      : this.push(ST | MEM | size, dst, 0, off, src);
  }

  /** Atomic `*(size *)(dst + off) += src` (W or DW); with `fetch`, src receives the old value. */
  atomicAdd(size: typeof W | typeof DW, dst: Reg, off: number, src: Reg, fetch = false): this {
    return this.push(STX | ATOMIC | size, dst, src, off, fetch ? FETCH : 0);
  }

  /** Atomic exchange: `src = xchg(*(size *)(dst + off), src)`. */
  atomicXchg(size: typeof W | typeof DW, dst: Reg, off: number, src: Reg): this {
    return this.push(STX | ATOMIC | size, dst, src, off, XCHG);
  }

  /** A 64-bit constant (two slots). */
  ldImm64(dst: Reg, value: bigint): this {
    const v = BigInt.asUintN(64, value);
    this.push(LD | IMM | DW, dst, 0, 0, Number(v & 0xffffffffn));
    return this.push(0, 0, 0, 0, Number(v >> 32n));
  }

  /** `dst = &map` for the map with file descriptor `fd` (two slots; the kernel rewrites it). */
  ldMapFd(dst: Reg, fd: number): this {
    this.slots.push({
      insn: { code: LD | IMM | DW, dst: dst.reg, src: PSEUDO_MAP_FD, off: 0, imm: imm32(fd) },
    });
    return this.push(0, 0, 0, 0, 0);
  }

  /**
   * `dst = &subprogram` at `fn` (two slots), for helpers that take a callback (bpf_loop). The
   * subprogram is emitted after the caller's exit and ends with its own exit.
   */
  ldFunc(dst: Reg, fn: Label): this {
    this.slots.push({
      insn: { code: LD | IMM | DW, dst: dst.reg, src: PSEUDO_FUNC, off: 0, imm: 0 },
      to: fn,
    });
    return this.push(0, 0, 0, 0, 0);
  }

  /** 64-bit conditional jump: `if (dst OP src) goto to`. */
  jmp(op: JmpOp, dst: Reg, src: Operand, to: Label): this {
    return isReg(src)
      ? this.push(JMP | op | X, dst, src, 0, 0, to)
      : this.push(JMP | op | K, dst, 0, 0, src, to);
  }

  /** 32-bit conditional jump: compares the low halves only. */
  jmp32(op: JmpOp, dst: Reg, src: Operand, to: Label): this {
    return isReg(src)
      ? this.push(JMP32 | op | X, dst, src, 0, 0, to)
      : this.push(JMP32 | op | K, dst, 0, 0, src, to);
  }

  /** Unconditional jump. */
  goto(to: Label): this {
    return this.push(JMP | JA, 0, 0, 0, 0, to);
  }

  /** Calls helper `id`: arguments in r1–r5, result in r0; r1–r5 are clobbered. */
  call(id: number): this {
    return this.push(JMP | CALL, 0, 0, 0, id);
  }

  /** Returns r0. */
  exit(): this {
    return this.push(JMP | EXIT, 0, 0, 0, 0);
  }

  /** Resolves every label. Throws on an unbound label or a jump out of 16-bit range. */
  resolve(): Insn[] {
    return this.slots.map((slot, i) => {
      if (slot.to === undefined) return slot.insn;
      const at = this.labels.positionOf(slot.to);
      if (at >= this.slots.length) {
        throw new Error(`label ${slot.to.name}#${slot.to.id} bound past the last instruction`);
      }
      // A callback's address is an instruction offset in imm; a jump's is in off.
      if (slot.insn.src === PSEUDO_FUNC && slot.insn.code === (LD | IMM | DW)) {
        return { ...slot.insn, imm: at - i - 1 };
      }
      return { ...slot.insn, off: off16(at - i - 1) };
    });
  }

  /** The program as `struct bpf_insn[]` bytes. */
  assemble(): Uint8Array {
    return encodeInsns(this.resolve());
  }
}
