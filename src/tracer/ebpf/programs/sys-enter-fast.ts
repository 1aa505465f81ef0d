// The two shortcuts of sys_enter around hash-map lookups (≈ 70 ns each here, against ≈ 5 for an
// array): the caller's procs entry from a per-CPU copy, and its count in fastCounts (maps.ts).
import type { EbpfAssembler, Label } from '../asm.js';
import { ADD, AND, DW, JEQ, JGE, JNE, MUL, R0, R1, R2, R3, R8, R9, R10, W } from '../insn.js';
import type { KernelLayout } from '../layout.js';
import {
  CACHE_FLAGS,
  CACHE_GEN,
  CACHE_IMAGE,
  CACHE_TGID,
  FAST_IMAGES,
  type Maps,
  PROC_CACHE_SLOTS,
  SCOPE_SHIFT,
  SLOTS_PER_IMAGE,
} from '../maps.js';
import { lookup } from './emit.js';
import {
  CACHE_KEY,
  FAST_KEY,
  FLAGS,
  GEN,
  KEY_ABI,
  NO_SLOT,
  SLOT,
  TGID,
  ZERO_KEY,
} from './sys-enter-stack.js';

/**
 * r8 = the caller's image, FLAGS = its flags (with scopes), from this CPU's procCache copy when it
 * is still current (procGen unchanged since it was made), else from procs, then copied there; to
 * `out` when the caller is not followed. The copy is written tgid last, and read tgid first and
 * last: a program preempted on this CPU by another run that rewrites the slot sees another tgid.
 */
export function emitProcLookup(a: EbpfAssembler, maps: Maps, layout: KernelLayout, out: Label): void {
  const miss = a.label('cache_miss');
  const have = a.label('have_proc');
  const sameTgid = (reg: typeof R1) => {
    a.ldx(W, R1, reg, CACHE_TGID).ldx(W, R2, R10, TGID);
    a.jmp(JNE, R1, R2, miss);
  };
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.procGen, ZERO_KEY, out);
  a.ldx(DW, R1, R0, 0).st(DW, R10, GEN, R1);
  a.ldx(W, R1, R10, TGID)
    .alu32(AND, R1, PROC_CACHE_SLOTS - 1)
    .st(W, R10, CACHE_KEY, R1);
  lookup(a, maps.procCache, CACHE_KEY, out);
  a.mov(R9, R0);
  sameTgid(R9);
  a.ldx(DW, R1, R9, CACHE_GEN).ldx(DW, R2, R10, GEN);
  a.jmp(JNE, R1, R2, miss);
  a.ldx(W, R8, R9, CACHE_IMAGE);
  if (layout.scopes) a.ldx(W, R1, R9, CACHE_FLAGS).st(W, R10, FLAGS, R1);
  sameTgid(R9);
  a.goto(have);

  a.bind(miss);
  lookup(a, maps.procs, TGID, out);
  a.ldx(W, R8, R0, 0);
  a.ldx(W, R3, R0, 4);
  if (layout.scopes) a.st(W, R10, FLAGS, R3);
  a.st(W, R9, CACHE_TGID, 0);
  a.st(W, R9, CACHE_IMAGE, R8);
  a.st(W, R9, CACHE_FLAGS, R3);
  a.ldx(DW, R1, R10, GEN).st(DW, R9, CACHE_GEN, R1);
  a.ldx(W, R1, R10, TGID).st(W, R9, CACHE_TGID, R1);
  a.bind(have);
}

/**
 * Counts the call in fastCounts when it has a place there (an unscoped call with a slot, by an image
 * below FAST_IMAGES that the map has room for): to `first` when it is the image's first such call,
 * else to `done`; anything else goes on at `fallback` (the counts hash map). r8 = image.
 */
export function emitFastCount(
  a: EbpfAssembler,
  maps: Maps,
  to: { readonly fallback: Label; readonly first: Label; readonly done: Label },
): void {
  a.jmp(JGE, R8, FAST_IMAGES, to.fallback);
  a.ldx(W, R1, R10, KEY_ABI);
  a.jmp(JGE, R1, 1 << SCOPE_SHIFT, to.fallback);
  a.ldx(W, R1, R10, SLOT);
  a.jmp32(JEQ, R1, NO_SLOT, to.fallback);
  a.mov(R2, R8).alu64(MUL, R2, SLOTS_PER_IMAGE).alu64(ADD, R2, R1);
  a.st(W, R10, FAST_KEY, R2);
  // Past the map's end (a test's smaller map): the lookup fails, and the hash map counts it.
  lookup(a, maps.fastCounts, FAST_KEY, to.fallback);
  a.mov(R1, 1);
  a.atomicAdd(DW, R0, 0, R1, true);
  a.jmp(JEQ, R1, 0, to.first);
  a.goto(to.done);
}
