// Hand-assembled seccomp filters for the tracer tests (the compiler is tested elsewhere).
export const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  ALLOW: 0x7fff0000,
} as const;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;

type Insn = [code: number, jt: number, jf: number, k: number];

function encode(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * 8);
  const view = new DataView(bytes.buffer);
  insns.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * 8, code, true);
    view.setUint8(i * 8 + 2, jt);
    view.setUint8(i * 8 + 3, jf);
    view.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return bytes;
}

/** `if arch == auditArch && nr == nr then hit else otherwise`. */
export function onSyscall(auditArch: number, nr: number, hit: number, otherwise: number): Uint8Array {
  return encode([
    [LD_W_ABS, 0, 0, 4],
    [JEQ_K, 0, 3, auditArch],
    [LD_W_ABS, 0, 0, 0],
    [JEQ_K, 0, 1, nr],
    [RET_K, 0, 0, hit],
    [RET_K, 0, 0, otherwise],
  ]);
}
