// struct seccomp_data, the 64 bytes a seccomp filter reads, in host (little-endian) order.
import type { SyscallInput } from '../policy/evaluate.js';

/** Size of struct seccomp_data. */
export const SECCOMP_DATA_SIZE = 64;
/** Offset of `int nr`. */
export const NR_OFFSET = 0;
/** Offset of `__u32 arch` (AUDIT_ARCH_*). */
export const ARCH_OFFSET = 4;
/** Offset of `__u64 instruction_pointer`. */
export const IP_OFFSET = 8;
/** Offset of `__u64 args[6]`. */
export const ARGS_OFFSET = 16;

/** Offset of the low (`high` false) or high 32-bit word of argument `i`. */
export function argOffset(i: number, high: boolean): number {
  return ARGS_OFFSET + 8 * i + (high ? 4 : 0);
}

/** The seccomp_data the kernel would build for `input`: nr as 32 bits, args as raw 64-bit values. */
export function seccompData(input: SyscallInput): Uint8Array {
  const bytes = new Uint8Array(SECCOMP_DATA_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt32(NR_OFFSET, input.nr | 0, true);
  view.setUint32(ARCH_OFFSET, input.auditArch >>> 0, true);
  view.setBigUint64(IP_OFFSET, BigInt.asUintN(64, input.instructionPointer ?? 0n), true);
  for (let i = 0; i < 6; i++) {
    view.setBigUint64(ARGS_OFFSET + 8 * i, BigInt.asUintN(64, input.args[i] ?? 0n), true);
  }
  return bytes;
}
