// raw_syscalls:sys_enter, for every syscall on the machine: drop it unless the caller's thread
// group is followed; else count (image, ABI, nr), and keep the argument values ARG_SPECS names.
import { errnoNumber } from '../../../arch/errno.js';
import { syscallNumber, X32_SYSCALL_BIT } from '../../../arch/index.js';
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
  OR,
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
  PROC_CONTAINED,
  PROC_MARKING,
  SCOPE_CONTAINED,
  SCOPE_MARKED,
  SCOPE_SHIFT,
  SLOT_OVERFLOW,
  SLOT_SEEN,
  STAT,
} from '../maps.js';
import { emitArgCapture } from './args.js';
import { add64, currentTgid, lookup, probeRead, returnZero, update } from './emit.js';
import { emitFastCount, emitProcLookup } from './sys-enter-fast.js';
import {
  COUNT_KEY,
  FILTER,
  FLAGS,
  KEY_ABI,
  NO_SLOT,
  ONE,
  SLOT,
  SLOT_KEY,
  STATUS,
  TGID,
  ZERO_KEY,
} from './sys-enter-stack.js';

const TS_COMPAT = 0x0002;
const NR_EXECVE = syscallNumber('x86_64', 'execve')!;
const NR_EXECVEAT = syscallNumber('x86_64', 'execveat')!;
const EEXIST = errnoNumber('EEXIST')!;
const BPF_NOEXIST = 1;

/** The sys_enter program for these maps and this kernel. */
export function sysEnterProgram(maps: Maps, layout: KernelLayout): Uint8Array {
  const a = new EbpfAssembler();
  const out = a.label('out');
  // r6 = ctx (u64 args[]: pt_regs *, long id), r7 = pid_tgid, r8 = image, r9 = nr (u32).
  a.mov(R6, R1);
  currentTgid(a, TGID);
  a.mov(R7, R0);
  emitProcLookup(a, maps, layout, out);
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
  // Without TS_COMPAT nothing jumps here, and the verifier refuses unreachable code.
  if (layout.taskStatus !== undefined) {
    a.bind(isI386).st(W, R10, KEY_ABI, ABI_I386);
    slotIndex(a, ABI_I386, abiDone);
  }
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
  if (layout.scopes) emitScope(a, maps, layout.scopes.taskSeccompFilter);
  const hashed = a.label('count_hashed');
  emitFastCount(a, maps, { fallback: hashed, first, done: args });
  a.bind(hashed);
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
  // The scope was for the count only: argument keys carry the bare ABI.
  if (layout.scopes) {
    a.ldx(W, R1, R10, KEY_ABI).alu32(AND, R1, (1 << SCOPE_SHIFT) - 1);
    a.st(W, R10, KEY_ABI, R1);
  }
  emitArgCapture(a, maps, out);

  a.bind(out);
  returnZero(a);
  return a.assemble();
}

/**
 * A scoped process (a container run): a contained one's calls count as SCOPE_CONTAINED; with
 * PROC_MARKING, one outside the container calling under another seccomp filter than the workload
 * started with (the runtime's init after installing the container's filter) as SCOPE_MARKED; the
 * filter is read only then. The scope goes into the count
 * key's ABI word, above the ABI.
 */
function emitScope(a: EbpfAssembler, maps: Maps, taskSeccompFilter: number): void {
  const counting = a.label('counting');
  const contained = a.label('scope_contained');
  const check = a.label('scope_check');
  const tag = (scope: number) => {
    a.ldx(W, R1, R10, KEY_ABI).alu32(OR, R1, scope << SCOPE_SHIFT);
    a.st(W, R10, KEY_ABI, R1);
  };
  a.ldx(W, R1, R10, FLAGS);
  a.jmp(JSET, R1, PROC_CONTAINED, contained);
  a.jmp(JSET, R1, PROC_MARKING, check);
  a.goto(counting);
  a.bind(contained);
  tag(SCOPE_CONTAINED);
  a.goto(counting);
  a.bind(check);
  a.call(HELPER.getCurrentTask);
  probeRead(a, FILTER, 8, () => a.mov(R3, R0), taskSeccompFilter);
  a.jmp(JNE, R0, 0, counting);
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.stats, ZERO_KEY, counting);
  a.ldx(DW, R1, R0, STAT.hostFilter);
  a.ldx(DW, R2, R10, FILTER);
  a.jmp(JEQ, R1, R2, counting);
  tag(SCOPE_MARKED);
  a.bind(counting);
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
