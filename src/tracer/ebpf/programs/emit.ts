// Small code sequences every recorder program uses, on top of the assembler.
import type { EbpfAssembler, Label } from '../asm.js';
import { ADD, DW, HELPER, JEQ, R0, R1, R2, R3, R4, R10, type Reg, RSH, W } from '../insn.js';
import type { Maps } from '../maps.js';

/** `r1 = fp + off` style pointer to a stack slot, into `dst`. */
export function stackPtr(a: EbpfAssembler, dst: Reg, off: number): void {
  a.mov(dst, R10).alu64(ADD, dst, off);
}

/**
 * bpf_probe_read_kernel(fp + dstOff, size, src + srcOff), where `src` is loaded by `loadSrc` into
 * r3 (the source address). r0 = 0 on success; on failure the kernel zeroes the destination.
 */
export function probeRead(
  a: EbpfAssembler,
  dstOff: number,
  size: number,
  loadSrc: () => void,
  srcOff: number,
): void {
  loadSrc();
  if (srcOff !== 0) a.alu64(ADD, R3, srcOff);
  stackPtr(a, R1, dstOff);
  a.mov(R2, size);
  a.call(HELPER.probeReadKernel);
}

/** r0 = bpf_map_lookup_elem(map, fp + keyOff); jumps to `miss` when absent. */
export function lookup(a: EbpfAssembler, mapFd: number, keyOff: number, miss: Label): void {
  a.ldMapFd(R1, mapFd);
  stackPtr(a, R2, keyOff);
  a.call(HELPER.mapLookupElem);
  a.jmp(JEQ, R0, 0, miss);
}

/** r0 = bpf_map_update_elem(map, fp + keyOff, value, flags); `value` is a stack offset or a register. */
export function update(
  a: EbpfAssembler,
  mapFd: number,
  keyOff: number,
  value: number | Reg,
  flags: number,
): void {
  if (typeof value === 'number') stackPtr(a, R3, value);
  else a.mov(R3, value);
  a.ldMapFd(R1, mapFd);
  stackPtr(a, R2, keyOff);
  a.mov(R4, flags);
  a.call(HELPER.mapUpdateElem);
}

/** Stores the caller's thread-group id (a u32 map key) at fp + keyOff; r0 keeps pid_tgid. */
export function currentTgid(a: EbpfAssembler, keyOff: number): void {
  a.call(HELPER.getCurrentPidTgid);
  a.mov(R1, R0).alu64(RSH, R1, 32);
  a.st(W, R10, keyOff, R1);
}

/** Atomic `*(u64 *)(ptr + off) += n`, through r1. */
export function add64(a: EbpfAssembler, ptr: Reg, off: number, n: number): void {
  a.mov(R1, n);
  a.atomicAdd(DW, ptr, off, R1);
}

/** `r0 = 0; exit`. */
export function returnZero(a: EbpfAssembler): void {
  a.mov(R0, 0).exit();
}

/**
 * procGen[0] += 1, after a change to procs: every copy of a procs entry in procCache is stale from
 * now on (maps.ts). `keyOff`: a free 4-byte stack slot. Clobbers r0–r5.
 */
export function bumpProcsGen(a: EbpfAssembler, maps: Maps, keyOff: number): void {
  const done = a.label('gen_bumped');
  a.st(W, R10, keyOff, 0);
  lookup(a, maps.procGen, keyOff, done);
  add64(a, R0, 0, 1);
  a.bind(done);
}
