// raw_syscalls:sys_enter, for every syscall on the machine: drop it unless the caller's thread
// group is followed; else count (image, ABI, nr), and keep the argument values ARG_SPECS names.
import { X32_SYSCALL_BIT } from '../../../arch/index.js';
import { MAX_ARG_VALUES } from '../../../recording/arg-specs.js';
import { ABIS, type ArgSpec, argSpecs } from '../arg-table.js';
import { EbpfAssembler, type Label } from '../asm.js';
import {
  ADD,
  AND,
  DW,
  HELPER,
  JEQ,
  JGE,
  JNE,
  JSET,
  MOV,
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
import type { KernelLayout } from '../layout.js';
import {
  ABI_I386,
  ABI_X32,
  ABI_X86_64,
  LAUNCHER_IMAGE,
  type Maps,
  NR_SLOTS,
  SLOT_ARGN,
  SLOT_OVERFLOW,
  SLOT_SEEN,
  STAT,
} from '../maps.js';
import { add64, currentTgid, lookup, probeRead, returnZero, update } from './emit.js';

const TS_COMPAT = 0x0002;
const NR_EXECVE = 59;
const NR_EXECVEAT = 322;
const EEXIST = 17;
const BPF_NOEXIST = 1;
/** No slot: a number outside 0..NR_SLOTS-1. */
const NO_SLOT = 0xffffffff;

// Stack layout (offsets from r10).
const TGID = -4;
const STATUS = -8;
const SLOT = -12;
const COUNT_KEY = -24; // { image, nr, abi }
const KEY_ABI = -16;
const ONE = -32;
const ZERO_KEY = -36;
const SLOT_KEY = -40;
const ARG_KEY = -64; // { abi, nr, v0, v1 }

/** The sys_enter program for these maps and this kernel. */
export function sysEnterProgram(maps: Maps, layout: KernelLayout): Uint8Array {
  const a = new EbpfAssembler();
  const out = a.label('out');
  // r6 = ctx (u64 args[]: pt_regs *, long id), r7 = pid_tgid, r8 = image, r9 = nr (u32).
  a.mov(R6, R1);
  currentTgid(a, TGID);
  a.mov(R7, R0);
  lookup(a, maps.procs, TGID, out);
  a.ldx(W, R8, R0, 0);
  a.ldx(DW, R9, R6, 8);
  a.alu32(MOV, R9, R9);

  // ABI: i386 while TS_COMPAT is set (int 0x80, also from 64-bit code), x32 by its number bit.
  const isI386 = a.label('i386');
  const isX32 = a.label('x32');
  const abiDone = a.label('abi_done');
  a.st(W, R10, KEY_ABI, ABI_X86_64);
  if (layout.taskStatus !== undefined) {
    a.call(HELPER.getCurrentTask);
    probeRead(a, STATUS, 4, () => a.mov(R3, R0), layout.taskStatus);
    a.ldx(W, R1, R10, STATUS);
    a.jmp(JSET, R1, TS_COMPAT, isI386);
  }
  a.mov(R1, R9).alu32(AND, R1, 0xc0000000);
  a.jmp32(JEQ, R1, X32_SYSCALL_BIT, isX32);
  slotIndex(a, ABI_X86_64, abiDone);
  a.bind(isI386).st(W, R10, KEY_ABI, ABI_I386);
  slotIndex(a, ABI_I386, abiDone);
  a.bind(isX32).st(W, R10, KEY_ABI, ABI_X32);
  slotIndex(a, ABI_X32, abiDone);
  a.bind(abiDone);

  // The launcher, before its exec: only its own execve/execveat of the workload is recorded.
  const count = a.label('count');
  a.jmp(JNE, R8, LAUNCHER_IMAGE, count);
  a.mov(R1, R7).mov(R2, R7).alu64(RSH, R2, 32);
  a.jmp32(JNE, R1, R2, out);
  a.ldx(W, R1, R10, KEY_ABI);
  a.jmp(JNE, R1, ABI_X86_64, out);
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.stats, ZERO_KEY, out);
  const execveat = a.label('launcher_execveat');
  a.jmp(JNE, R9, NR_EXECVE, execveat);
  add64(a, R0, STAT.launcherExecve, 1);
  a.goto(out);
  a.bind(execveat).jmp(JNE, R9, NR_EXECVEAT, out);
  add64(a, R0, STAT.launcherExecveat, 1);
  a.goto(out);

  // Count (image, nr, abi).
  const args = a.label('args');
  const fresh = a.label('count_new');
  const first = a.label('count_first');
  const overflow = a.label('count_overflow');
  a.bind(count);
  a.st(W, R10, COUNT_KEY, R8);
  a.st(W, R10, COUNT_KEY + 4, R9);
  lookup(a, maps.counts, COUNT_KEY, fresh);
  add64(a, R0, 0, 1);
  a.goto(args);
  a.bind(fresh);
  a.st(DW, R10, ONE, 1);
  update(a, maps.counts, COUNT_KEY, ONE, BPF_NOEXIST);
  a.jmp(JEQ, R0, 0, first);
  a.jmp(JNE, R0, -EEXIST, overflow);
  lookup(a, maps.counts, COUNT_KEY, overflow);
  add64(a, R0, 0, 1);
  a.goto(args);

  // A new (image, ABI, nr): the first of its (ABI, nr) anywhere raises the distinct count.
  a.bind(first);
  a.ldx(W, R1, R10, SLOT);
  a.jmp(JEQ, R1, NO_SLOT, args);
  a.st(W, R10, SLOT_KEY, R1);
  lookup(a, maps.slots, SLOT_KEY, args);
  a.mov(R1, 1);
  a.atomicXchg(W, R0, SLOT_SEEN, R1);
  a.jmp(JNE, R1, 0, args);
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.stats, ZERO_KEY, args);
  add64(a, R0, STAT.distinct, 1);
  a.goto(args);

  // The counts map is full: the call is still counted, per ABI and number, without its executable.
  const otherOverflow = a.label('other_overflow');
  a.bind(overflow);
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.stats, ZERO_KEY, args);
  add64(a, R0, STAT.overflowCalls, 1);
  a.ldx(W, R1, R10, SLOT);
  a.jmp(JEQ, R1, NO_SLOT, otherOverflow);
  a.st(W, R10, SLOT_KEY, R1);
  lookup(a, maps.slots, SLOT_KEY, args);
  add64(a, R0, SLOT_OVERFLOW, 1);
  a.goto(args);
  a.bind(otherOverflow);
  add64(a, R0, STAT.otherOverflow, 1);
  a.goto(args);

  a.bind(args);
  emitArgCapture(a, maps, layout, out);

  a.bind(out);
  returnZero(a);
  return a.assemble();
}

/** Stores the slot index (abi * NR_SLOTS + nr without the x32 bit, or NO_SLOT) and jumps to `done`. */
function slotIndex(a: EbpfAssembler, abi: number, done: Label): void {
  const none = a.label('no_slot');
  a.mov(R1, R9);
  if (abi === ABI_X32) a.alu64(AND, R1, X32_SYSCALL_BIT - 1);
  a.jmp(JGE, R1, NR_SLOTS, none);
  a.alu64(ADD, R1, abi * NR_SLOTS);
  a.st(W, R10, SLOT, R1);
  a.goto(done);
  a.bind(none);
  a.st(W, R10, SLOT, NO_SLOT);
  a.goto(done);
}

/** Per ABI, a compare chain over the numbers in ARG_SPECS, then one shared insert-or-count tail. */
function emitArgCapture(a: EbpfAssembler, maps: Maps, layout: KernelLayout, out: Label): void {
  const tail = a.label('args_tail');
  const specLabels: { abi: number; spec: ArgSpec; at: Label }[] = [];
  a.ldx(W, R1, R10, KEY_ABI);
  for (const abi of ABIS) {
    const specs = argSpecs(abi);
    const nextAbi = a.label('next_abi');
    a.jmp(JNE, R1, abi, nextAbi);
    for (const spec of specs) {
      const at = a.label(`spec_${spec.name}`);
      specLabels.push({ abi, spec, at });
      a.jmp(JEQ, R9, spec.nr, at);
    }
    a.goto(out);
    a.bind(nextAbi);
  }
  a.goto(out);

  for (const { abi, spec, at } of specLabels) {
    a.bind(at);
    a.st(W, R10, ARG_KEY, abi);
    a.st(W, R10, ARG_KEY + 4, R9);
    a.st(DW, R10, ARG_KEY + 8, 0);
    a.st(DW, R10, ARG_KEY + 16, 0);
    spec.fields.forEach((f, j) => {
      const regs = abi === ABI_I386 ? layout.argRegs32 : layout.argRegs64;
      probeRead(a, ARG_KEY + 8 + 8 * j, 8, () => a.ldx(DW, R3, R6, 0), regs[f.index]!);
      // The kernel reads `int` arguments as 32 bits: so do we (the ptrace recorder does the same).
      if (f.bits === 32) a.st(W, R10, ARG_KEY + 8 + 8 * j + 4, 0);
    });
    a.goto(tail);
  }

  // Count the tuple; a new one first takes one of the MAX_ARG_VALUES places of its (ABI, nr).
  const miss = a.label('args_miss');
  const full = a.label('args_full');
  const notAdded = a.label('args_not_added');
  const again = a.label('args_again');
  a.bind(tail);
  lookup(a, maps.args, ARG_KEY, miss);
  add64(a, R0, 0, 1);
  a.goto(out);
  a.bind(miss);
  a.ldx(W, R1, R10, SLOT);
  a.st(W, R10, SLOT_KEY, R1);
  lookup(a, maps.slots, SLOT_KEY, out);
  a.mov(R7, R0);
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
