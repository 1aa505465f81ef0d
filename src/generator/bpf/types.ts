// Classic BPF (struct sock_filter) as data: opcodes, the instruction shape and the validated brand.
// Nothing here knows about seccomp.
import { ALU, B, H, JA, JMP, LD, X } from '../../arch/bpf-common.js';

/** One struct sock_filter: 16-bit opcode, two 8-bit conditional offsets, 32-bit constant. */
export interface Instruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** A program that passed validateProgram: the only shape the encoders and the kernel loader accept. */
export type ValidatedProgram = readonly Instruction[] & { readonly __brand: 'ValidatedProgram' };

/** BPF_MAXINSNS: the kernel refuses longer classic programs. */
export const MAX_INSNS = 4096;
/** BPF_MEMWORDS: scratch memory slots M[0..15]. */
export const MEM_WORDS = 16;
/** Conditional jump offsets are 8-bit. */
export const MAX_JUMP = 255;

// The encoding shared with eBPF, and what only classic BPF has.
export * from '../../arch/bpf-common.js';
export const RET = 0x06;
export const MISC = 0x07;
// RET operand.
export const RET_A = 0x10;
// MISC.
export const TAX = 0x00;
export const TXA = 0x80;

// Decoding an opcode: the only place that knows where its fields sit. Compare the results with the
// constants above (e.g. `classOf(code) === JMP && opOf(code) === JEQ`).

/** Instruction class: LD, LDX, ST, STX, ALU, JMP, RET or MISC. */
export function classOf(code: number): number {
  return code & 0x07;
}

/** Load size: W, H or B. */
export function sizeOf(code: number): number {
  return code & 0x18;
}

/** Load size in bytes. */
export function sizeBytes(code: number): 1 | 2 | 4 {
  const size = sizeOf(code);
  return size === B ? 1 : size === H ? 2 : 4;
}

/** Load mode: IMM, ABS, IND, MEM, LEN or MSH. */
export function modeOf(code: number): number {
  return code & 0xe0;
}

/** ALU operation (ADD…XOR, NEG) or jump test (JA, JEQ, JGT, JGE, JSET). */
export function opOf(code: number): number {
  return code & 0xf0;
}

/** True when an ALU or jump instruction takes X as its operand, false for the constant K. */
export function usesX(code: number): boolean {
  return (code & X) !== 0;
}

/** What a RET returns: K, RET_A (A) or X. */
export function returnOperand(code: number): number {
  return code & 0x18;
}

/** True for MISC|TXA (A = X), false for MISC|TAX (X = A). */
export function isTxa(code: number): boolean {
  return (code & 0xf8) === TXA;
}

/** True for the conditional jumps (JEQ/JGT/JGE/JSET with K or X operand). */
export function isConditionalJump(code: number): boolean {
  return classOf(code) === JMP && opOf(code) !== JA;
}

/** True for instructions that write A: loads into A, ALU operations and TXA. */
export function writesA(code: number): boolean {
  const cls = classOf(code);
  return cls === LD || cls === ALU || (cls === MISC && isTxa(code));
}

/** The constants a program compares A or X with (the K of its conditional jumps), deduplicated. */
export function jumpConstants(p: readonly Instruction[]): number[] {
  return [...new Set(p.filter((i) => isConditionalJump(i.code) && !usesX(i.code)).map((i) => i.k >>> 0))];
}

/** A non-jump instruction. */
export function stmt(code: number, k = 0): Instruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/** A jump instruction with numeric offsets. */
export function jump(code: number, k: number, jt: number, jf: number): Instruction {
  return { code, jt, jf, k: k >>> 0 };
}
