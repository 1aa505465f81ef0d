// Programs through bpf(2): loading (with the verifier's reasons on refusal), the BTF that describes
// their functions, running one on demand, and attaching to a raw tracepoint.
import { errnoText } from '../../arch/errno.js';
import { BpfError, CMD, call, check, clearAttr, PROG_TYPE_RAW_TRACEPOINT, readAttr, setName } from './bpf.js';
import { allocNative, type NativeMem } from './native.js';

export interface ProgLoad {
  readonly insns: Uint8Array;
  /** At most 15 characters. */
  readonly name: string;
  /**
   * BTF describing the program's functions (func-btf.ts) and, per function, its first instruction
   * and FUNC type id: required once a program has a callback.
   */
  readonly funcs?: { readonly btfFd: number; readonly info: readonly (readonly [number, number])[] };
  /** Verifier log size on failure (the load is retried with the log on, to say why). */
  readonly logSize?: number;
}

/** BPF_PROG_LOAD of a raw tracepoint program. Fails with the verifier's last lines. */
export function progLoadRawTracepoint(prog: ProgLoad): number {
  const insns = allocNative(prog.insns.length);
  const license = allocNative(4);
  const funcInfo = allocNative(8 * (prog.funcs?.info.length ?? 0));
  prog.funcs?.info.forEach(([insn, type], i) => {
    funcInfo.view.setUint32(i * 8, insn, true);
    funcInfo.view.setUint32(i * 8 + 4, type, true);
  });
  try {
    insns.bytes.set(prog.insns);
    license.bytes.set(Buffer.from('GPL\0', 'latin1'));
    const load = (logLevel: number, log: NativeMem | undefined): number => {
      const v = clearAttr();
      v.setUint32(0, PROG_TYPE_RAW_TRACEPOINT, true);
      v.setUint32(4, prog.insns.length / 8, true);
      v.setBigUint64(8, BigInt(insns.address), true);
      v.setBigUint64(16, BigInt(license.address), true);
      if (log) {
        v.setUint32(24, logLevel, true);
        v.setUint32(28, log.bytes.length, true);
        v.setBigUint64(32, BigInt(log.address), true);
      }
      setName(v, 48, prog.name);
      if (prog.funcs) {
        v.setUint32(72, prog.funcs.btfFd, true);
        v.setUint32(76, 8, true);
        v.setBigUint64(80, BigInt(funcInfo.address), true);
        v.setUint32(88, prog.funcs.info.length, true);
      }
      return call(CMD.PROG_LOAD);
    };
    const fd = load(0, undefined);
    if (fd >= 0) return fd;
    const log = allocNative(prog.logSize ?? 1 << 20);
    try {
      const again = load(1, log);
      if (again >= 0) return again;
      const text = Buffer.from(log.bytes)
        .toString('latin1')
        .replace(/\0[\s\S]*$/, '');
      const tail = text.trimEnd().split('\n').slice(-8).join(' | ');
      throw new VerifierError(prog.name, -again, tail);
    } finally {
      log.free();
    }
  } finally {
    insns.free();
    license.free();
    funcInfo.free();
  }
}

/** BPF_BTF_LOAD: an fd for a BTF blob (programs refer to it while loading). */
export function btfLoad(blob: Uint8Array): number {
  const mem = allocNative(blob.length);
  try {
    mem.bytes.set(blob);
    const v = clearAttr();
    v.setBigUint64(0, BigInt(mem.address), true);
    v.setUint32(16, blob.length, true);
    return check('BTF_LOAD', call(CMD.BTF_LOAD));
  } finally {
    mem.free();
  }
}

/** The kernel refused a program: `log` holds the verifier's last lines. */
export class VerifierError extends BpfError {
  constructor(
    readonly program: string,
    errno: number,
    readonly log: string,
  ) {
    super(`PROG_LOAD ${program}`, errno);
    this.message = `the kernel refused BPF program ${program} (${errnoText(errno)}): ${log}`;
  }
}

/**
 * BPF_PROG_TEST_RUN of a raw tracepoint program: runs it once, now, in the calling thread, with
 * these tracepoint arguments; returns its r0.
 */
export function progTestRun(progFd: number, args: readonly bigint[] = [0n]): number {
  const ctx = allocNative(args.length * 8);
  try {
    args.forEach((v, i) => {
      ctx.view.setBigUint64(i * 8, v, true);
    });
    const v = clearAttr();
    v.setUint32(0, progFd, true);
    v.setUint32(40, args.length * 8, true);
    v.setBigUint64(48, BigInt(ctx.address), true);
    check('PROG_TEST_RUN', call(CMD.PROG_TEST_RUN));
    return readAttr().getUint32(4, true);
  } finally {
    ctx.free();
  }
}

/** BPF_RAW_TRACEPOINT_OPEN: attaches `progFd` to tracepoint `name`; closing the fd detaches. */
export function rawTracepointOpen(name: string, progFd: number): number {
  const str = allocNative(name.length + 1);
  try {
    str.bytes.set(Buffer.from(`${name}\0`, 'latin1'));
    const v = clearAttr();
    v.setBigUint64(0, BigInt(str.address), true);
    v.setUint32(8, progFd, true);
    return check(`RAW_TRACEPOINT_OPEN ${name}`, call(CMD.RAW_TRACEPOINT_OPEN));
  } finally {
    str.free();
  }
}
