// sched_process_fork and sched_process_exit: the followed process tree. A child of a followed
// process is followed from its creation (the tracepoint fires before the child first runs), with
// its parent's executable; a thread group stops being followed once its last thread has exited.
// (A fork needs no procGen bump: no cached copy can hold a new process's tgid, since the end of
// the last process with that tgid, if followed, bumped it.)
import { EbpfAssembler } from '../asm.js';
import { DW, HELPER, JEQ, JNE, R0, R1, R2, R3, R6, R7, R8, R9, R10, W } from '../insn.js';
import type { KernelLayout } from '../layout.js';
import { LAUNCHER_IMAGE, type Maps, STAT } from '../maps.js';
import { add64, bumpProcsGen, currentTgid, lookup, probeRead, returnZero, stackPtr, update } from './emit.js';

const BPF_ANY = 0;

/** sched_process_fork(parent, child), raw tracepoint: runs in the parent. */
export function forkProgram(maps: Maps, layout: KernelLayout): Uint8Array {
  const TGID = -4;
  const CHILD_TGID = -8;
  const ZERO_KEY = -12;
  const VALUE = -24; // { image, flags }
  const a = new EbpfAssembler();
  const out = a.label('out');
  const lost = a.label('lost');
  a.mov(R6, R1);
  currentTgid(a, TGID);
  lookup(a, maps.procs, TGID, out);
  a.ldx(W, R8, R0, 0);
  // The child inherits the flags too (scoped, contained).
  a.ldx(W, R1, R0, 4).st(W, R10, VALUE + 4, R1);
  // The launcher's own threads belong to its thread group already, and it makes no children.
  a.jmp(JEQ, R8, LAUNCHER_IMAGE, out);
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.stats, ZERO_KEY, out);
  a.mov(R9, R0);
  add64(a, R9, STAT.threads, 1);
  probeRead(a, CHILD_TGID, 4, () => a.ldx(DW, R3, R6, 8), layout.taskTgid);
  a.jmp(JNE, R0, 0, lost);
  a.ldx(W, R1, R10, TGID);
  a.ldx(W, R7, R10, CHILD_TGID);
  a.jmp(JEQ, R7, R1, out); // a new thread of a followed process: its group is followed already
  add64(a, R9, STAT.processes, 1);
  a.st(W, R10, VALUE, R8);
  update(a, maps.procs, CHILD_TGID, VALUE, BPF_ANY);
  a.jmp(JEQ, R0, 0, out);
  a.bind(lost);
  add64(a, R9, STAT.lostProcs, 1);
  a.bind(out);
  returnZero(a);
  return a.assemble();
}

/** sched_process_exit(task, …), raw tracepoint: runs in the exiting thread, after it left signal->live. */
export function exitProgram(maps: Maps, layout: KernelLayout): Uint8Array {
  const TGID = -4;
  const LIVE = -8;
  const SIGNAL = -16;
  const GEN_KEY = -20;
  const a = new EbpfAssembler();
  const out = a.label('out');
  a.mov(R6, R1);
  currentTgid(a, TGID);
  lookup(a, maps.procs, TGID, out);
  probeRead(a, SIGNAL, 8, () => a.ldx(DW, R3, R6, 0), layout.taskSignal);
  a.jmp(JNE, R0, 0, out);
  probeRead(a, LIVE, 4, () => a.ldx(DW, R3, R10, SIGNAL), layout.signalLive);
  a.jmp(JNE, R0, 0, out);
  a.ldx(W, R1, R10, LIVE);
  a.jmp(JNE, R1, 0, out);
  a.ldMapFd(R1, maps.procs);
  stackPtr(a, R2, TGID);
  a.call(HELPER.mapDeleteElem);
  bumpProcsGen(a, maps, GEN_KEY);
  a.bind(out);
  returnZero(a);
  return a.assemble();
}
