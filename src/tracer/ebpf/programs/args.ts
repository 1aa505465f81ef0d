// The argument half of sys_enter: the syscall's slot says which arguments to keep (its spec,
// written by user space from ARG_SPECS, see arg-table.ts); their values form the key of `args`,
// with at most MAX_ARG_VALUES distinct tuples per (ABI, nr).
import { errnoNumber } from '../../../arch/errno.js';
import { MAX_ARG_VALUES } from '../../../recording/arg-specs.js';
import { SPEC_LOW32 } from '../arg-table.js';
import type { EbpfAssembler, Label } from '../asm.js';
import {
  ADD,
  AND,
  DW,
  HELPER,
  JEQ,
  JGE,
  JLT,
  JNE,
  LSH,
  R0,
  R1,
  R2,
  R3,
  R6,
  R7,
  R8,
  R9,
  R10,
  RSH,
  W,
} from '../insn.js';
import { type Maps, SLOT_ARGN, SLOT_SPEC } from '../maps.js';
import { add64, lookup, stackPtr, update } from './emit.js';
import { ARG_KEY, KEY_ABI, NO_SLOT, ONE, SLOT, SLOT_KEY } from './sys-enter-stack.js';

const EEXIST = errnoNumber('EEXIST')!;
const BPF_NOEXIST = 1;

/** Emits the capture, for r6 = ctx (args[0]: the pt_regs pointer) and r9 = nr; ends at `out`. */
export function emitArgCapture(a: EbpfAssembler, maps: Maps, out: Label): void {
  a.ldx(W, R1, R10, SLOT);
  a.jmp(JEQ, R1, NO_SLOT, out);
  a.st(W, R10, SLOT_KEY, R1);
  lookup(a, maps.slots, SLOT_KEY, out);
  // r7 = the slot, r8 = its spec (0: this syscall's arguments are not kept).
  a.mov(R7, R0);
  a.ldx(W, R8, R7, SLOT_SPEC);
  a.jmp(JEQ, R8, 0, out);
  a.ldx(W, R1, R10, KEY_ABI);
  a.st(W, R10, ARG_KEY, R1);
  a.st(W, R10, ARG_KEY + 4, R9);
  a.st(DW, R10, ARG_KEY + 8, 0);
  a.st(DW, R10, ARG_KEY + 16, 0);
  const tail = a.label('args_tail');
  for (const j of [0, 1]) emitField(a, j, tail);
  a.bind(tail);
  emitCount(a, maps, out);
}

/** Field j: its pt_regs offset / 8 in byte 1 + j of the spec, with SPEC_LOW32 for a 32-bit value. */
function emitField(a: EbpfAssembler, j: number, tail: Label): void {
  const value = ARG_KEY + 8 + 8 * j;
  a.mov(R1, R8).alu64(AND, R1, 0x7f);
  a.jmp(JLT, R1, j + 1, tail);
  a.mov(R3, R8)
    .alu64(RSH, R3, 8 * (j + 1))
    .alu64(AND, R3, 0x7f)
    .alu64(LSH, R3, 3);
  a.ldx(DW, R1, R6, 0);
  a.alu64(ADD, R3, R1);
  stackPtr(a, R1, value);
  a.mov(R2, 8);
  a.call(HELPER.probeReadKernel);
  // The kernel reads `int` arguments as 32 bits: so do we (the ptrace recorder does the same).
  const wide = a.label('wide');
  a.mov(R1, R8)
    .alu64(RSH, R1, 8 * (j + 1))
    .alu64(AND, R1, SPEC_LOW32);
  a.jmp(JEQ, R1, 0, wide);
  a.st(W, R10, value + 4, 0);
  a.bind(wide);
}

/** Counts the tuple; a new one first takes one of the MAX_ARG_VALUES places of its (ABI, nr) (r7). */
function emitCount(a: EbpfAssembler, maps: Maps, out: Label): void {
  const miss = a.label('args_miss');
  const full = a.label('args_full');
  const notAdded = a.label('args_not_added');
  const again = a.label('args_again');
  lookup(a, maps.args, ARG_KEY, miss);
  add64(a, R0, 0, 1);
  a.goto(out);
  a.bind(miss);
  a.mov(R1, 1);
  a.atomicAdd(W, R7, SLOT_ARGN, R1, true);
  a.jmp(JGE, R1, MAX_ARG_VALUES, full);
  a.st(DW, R10, ONE, 1);
  update(a, maps.args, ARG_KEY, ONE, BPF_NOEXIST);
  a.jmp(JNE, R0, 0, notAdded);
  a.goto(out);
  // Not added: give the place back. Another CPU added the same tuple (EEXIST): count it there.
  // The map is full: push the place count far past the cap, so the list reads as truncated.
  a.bind(notAdded);
  a.mov(R1, -1);
  a.atomicAdd(W, R7, SLOT_ARGN, R1);
  a.jmp(JEQ, R0, -EEXIST, again);
  a.mov(R1, 0x10000);
  a.atomicAdd(W, R7, SLOT_ARGN, R1);
  a.goto(out);
  // Past the cap: unless the tuple raced in after our lookup, the list is truncated (argn stays
  // above MAX_ARG_VALUES).
  a.bind(full);
  lookup(a, maps.args, ARG_KEY, out);
  add64(a, R0, 0, 1);
  a.mov(R1, -1);
  a.atomicAdd(W, R7, SLOT_ARGN, R1);
  a.goto(out);
  a.bind(again);
  lookup(a, maps.args, ARG_KEY, out);
  add64(a, R0, 0, 1);
  a.goto(out);
}
