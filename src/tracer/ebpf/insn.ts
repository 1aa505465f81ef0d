// eBPF as data: opcodes, registers, helper ids and the 8-byte instruction encoding
// (Documentation/bpf/standardization/instruction-set.rst). Nothing here knows about syscalls.
import {
  type ADD,
  type AND,
  B,
  type DIV,
  H,
  type JEQ,
  type JGE,
  type JGT,
  type JSET,
  type LSH,
  type MOD,
  type MUL,
  type OR,
  type RSH,
  type SUB,
  W,
  type XOR,
} from '../../arch/bpf-common.js';

/** A register, r0 to r10. Plain numbers are immediates wherever an operand may be either. */
export interface Reg {
  readonly reg: number;
}
function reg(n: number): Reg {
  return Object.freeze({ reg: n });
}
/** r0: return value of helpers and of the program. */
export const R0 = reg(0);
/** r1–r5: helper arguments (clobbered by calls); r1 holds the context on entry. */
export const R1 = reg(1);
export const R2 = reg(2);
export const R3 = reg(3);
export const R4 = reg(4);
export const R5 = reg(5);
/** r6–r9: callee-saved, survive helper calls. */
export const R6 = reg(6);
export const R7 = reg(7);
export const R8 = reg(8);
export const R9 = reg(9);
/** r10: read-only frame pointer; the stack is the 512 bytes below it. */
export const R10 = reg(10);

// The encoding shared with classic BPF (src/arch/bpf-common.ts), and what only eBPF has.
export * from '../../arch/bpf-common.js';
// Instruction classes.
export const JMP32 = 0x06;
export const ALU64 = 0x07;
// Sizes of loads and stores.
export const DW = 0x18;
export type Size = typeof W | typeof H | typeof B | typeof DW;
/** Size in bytes of a load/store size code. */
export const SIZE_BYTES: Readonly<Record<Size, number>> = { [W]: 4, [H]: 2, [B]: 1, [DW]: 8 };
// Modes.
export const ATOMIC = 0xc0;
// ALU operations.
export const MOV = 0xb0;
export const ARSH = 0xc0;
export type AluOp =
  | typeof ADD
  | typeof SUB
  | typeof MUL
  | typeof DIV
  | typeof OR
  | typeof AND
  | typeof LSH
  | typeof RSH
  | typeof MOD
  | typeof XOR
  | typeof MOV
  | typeof ARSH;
// Jumps.
export const JNE = 0x50;
export const JSGT = 0x60;
export const JSGE = 0x70;
export const CALL = 0x80;
export const EXIT = 0x90;
export const JLT = 0xa0;
export const JLE = 0xb0;
export const JSLT = 0xc0;
export const JSLE = 0xd0;
export type JmpOp =
  | typeof JEQ
  | typeof JGT
  | typeof JGE
  | typeof JSET
  | typeof JNE
  | typeof JSGT
  | typeof JSGE
  | typeof JLT
  | typeof JLE
  | typeof JSLT
  | typeof JSLE;
// Atomic operations (imm of an ATOMIC store); FETCH returns the old value in the source register.
export const FETCH = 0x01;
export const XCHG = 0xe0 | FETCH;
export const CMPXCHG = 0xf0 | FETCH;
/** src_reg of a 16-byte ld_imm64 whose imm is a map fd. */
export const PSEUDO_MAP_FD = 1;
/** src_reg of a 16-byte ld_imm64 whose imm is the offset of a subprogram (a callback). */
export const PSEUDO_FUNC = 4;

/** Helper function ids (include/uapi/linux/bpf.h, `__BPF_FUNC_MAPPER`). */
export const HELPER = {
  mapLookupElem: 1,
  mapUpdateElem: 2,
  mapDeleteElem: 3,
  ktimeGetNs: 5,
  getSmpProcessorId: 8,
  getCurrentPidTgid: 14,
  getCurrentTask: 35,
  probeReadKernel: 113,
  probeReadKernelStr: 115,
  loop: 181,
} as const;

/** One encoded instruction slot (ld_imm64 takes two). */
export interface Insn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

/** struct bpf_insn, little-endian: code, dst:4|src:4, off s16, imm s32. */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * 8);
  const view = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    view.setUint8(i * 8, insn.code);
    view.setUint8(i * 8 + 1, (insn.src << 4) | insn.dst);
    view.setInt16(i * 8 + 2, insn.off, true);
    view.setInt32(i * 8 + 4, insn.imm, true);
  });
  return bytes;
}
