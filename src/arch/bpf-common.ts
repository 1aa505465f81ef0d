// The instruction encoding classic BPF and eBPF share (include/uapi/linux/bpf_common.h): classes
// LD…JMP, load sizes, modes, ALU operations, the first jump tests and the operand source. Each
// instruction set adds its own on top: src/generator/bpf/types.ts (RET, MISC) and
// src/tracer/ebpf/insn.ts (JMP32, ALU64, DW, atomics, MOV, the signed and 32-bit jumps).

// Instruction classes.
export const LD = 0x00;
export const LDX = 0x01;
export const ST = 0x02;
export const STX = 0x03;
export const ALU = 0x04;
export const JMP = 0x05;
// Load and store sizes.
export const W = 0x00;
export const H = 0x08;
export const B = 0x10;
// Modes.
export const IMM = 0x00;
export const ABS = 0x20;
export const IND = 0x40;
export const MEM = 0x60;
export const LEN = 0x80;
export const MSH = 0xa0;
// ALU operations.
export const ADD = 0x00;
export const SUB = 0x10;
export const MUL = 0x20;
export const DIV = 0x30;
export const OR = 0x40;
export const AND = 0x50;
export const LSH = 0x60;
export const RSH = 0x70;
export const NEG = 0x80;
export const MOD = 0x90;
export const XOR = 0xa0;
// Jumps.
export const JA = 0x00;
export const JEQ = 0x10;
export const JGT = 0x20;
export const JGE = 0x30;
export const JSET = 0x40;
// Operand source.
export const K = 0x00;
export const X = 0x08;
