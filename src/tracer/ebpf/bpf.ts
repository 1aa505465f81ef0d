// The bpf(2) system call through koffi: maps, program load, raw tracepoints, BTF. Every pointer the
// kernel follows lives in native memory we own (koffi may copy typed arrays around a call), so
// `union bpf_attr` is built in one native scratch buffer per call site. Numbers and layouts are
// from include/uapi/linux/bpf.h.
import { koffi } from '../ffi.js';

const SYS_BPF = 321; // x86_64

const libc = koffi.load('libc.so.6');
const sysBpf = libc.func('long syscall(long nr, int cmd, uintptr_t attr, unsigned int size)') as (
  nr: number,
  cmd: number,
  attr: number,
  size: number,
) => number;

export const CMD = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  PROG_TEST_RUN: 10,
  OBJ_GET_INFO_BY_FD: 15,
  RAW_TRACEPOINT_OPEN: 17,
  BTF_LOAD: 18,
  BTF_GET_FD_BY_ID: 19,
  BTF_GET_NEXT_ID: 23,
  MAP_LOOKUP_BATCH: 24,
} as const;

export const MAP_TYPE = { HASH: 1, ARRAY: 2, PERCPU_ARRAY: 6 } as const;
export const PROG_TYPE_RAW_TRACEPOINT = 17;
/** map_update_elem flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

/** Native memory owned by JS: `address` for the kernel, `bytes`/`view` for us. Free it once. */
export interface NativeMem {
  readonly address: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  free(): void;
}

export function allocNative(size: number): NativeMem {
  const mem = koffi.alloc('uint8_t', Math.max(size, 8));
  const buffer = koffi.view(mem, Math.max(size, 8));
  let freed = false;
  return {
    address: Number(koffi.address(mem)),
    bytes: new Uint8Array(buffer, 0, size),
    view: new DataView(buffer, 0, Math.max(size, 8)),
    free() {
      if (!freed) koffi.free(mem);
      freed = true;
    },
  };
}

/** A failed bpf() command: `errno` for callers that react to it (ENOENT, EEXIST, E2BIG…). */
export class BpfError extends Error {
  constructor(
    readonly command: string,
    readonly errno: number,
  ) {
    super(`bpf(${command}) failed: errno ${errno}`);
    this.name = 'BpfError';
  }
}

const ATTR_SIZE = 128;
const attr = allocNative(ATTR_SIZE);

function clearAttr(): DataView {
  attr.bytes.fill(0);
  return attr.view;
}

const EAGAIN = 11;
/** How often a command interrupted by a signal is tried again (libbpf retries program loads 5 times). */
const EAGAIN_TRIES = 8;

/**
 * bpf(cmd, attr): the result (an fd or 0), or -errno. The verifier gives up with EAGAIN when a
 * signal is pending (a profiler's SIGPROF, a SIGCHLD): the same attribute is simply tried again.
 */
function call(cmd: number): number {
  for (let tries = 1; ; tries++) {
    const r = sysBpf(SYS_BPF, cmd, attr.address, ATTR_SIZE);
    if (r >= 0) return r;
    const err = koffi.errno();
    if (err !== EAGAIN || tries >= EAGAIN_TRIES) return -err;
  }
}

/**
 * Any bpf() command: `fill` writes the attribute fields into a zeroed `union bpf_attr`. Returns the
 * result (an fd or 0, or -errno) and the attribute as the kernel left it (valid until the next call).
 */
export function rawBpf(cmd: number, fill: (attr: DataView) => void): { result: number; view: DataView } {
  fill(clearAttr());
  return { result: call(cmd), view: attr.view };
}

function check(name: string, r: number): number {
  if (r < 0) throw new BpfError(name, -r);
  return r;
}

export interface MapSpec {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /** At most 15 characters; shown by bpftool. */
  readonly name: string;
}

/** BPF_MAP_CREATE: the new map's fd. */
export function mapCreate(spec: MapSpec): number {
  const v = clearAttr();
  v.setUint32(0, spec.type, true);
  v.setUint32(4, spec.keySize, true);
  v.setUint32(8, spec.valueSize, true);
  v.setUint32(12, spec.maxEntries, true);
  v.setUint32(16, spec.flags ?? 0, true);
  attr.bytes.set(Buffer.from(spec.name.slice(0, 15), 'latin1'), 28);
  return check(`MAP_CREATE ${spec.name}`, call(CMD.MAP_CREATE));
}

function elemAttr(fd: number, key: number, value: number, flags: number): void {
  const v = clearAttr();
  v.setUint32(0, fd, true);
  v.setBigUint64(8, BigInt(key), true);
  v.setBigUint64(16, BigInt(value), true);
  v.setBigUint64(24, BigInt(flags), true);
}

/** BPF_MAP_LOOKUP_ELEM into native memory: false when the key is absent. */
export function mapLookup(fd: number, key: number, value: number): boolean {
  elemAttr(fd, key, value, 0);
  const r = call(CMD.MAP_LOOKUP_ELEM);
  if (r === -2 /* ENOENT */) return false;
  check('MAP_LOOKUP_ELEM', r);
  return true;
}

/** BPF_MAP_UPDATE_ELEM from native memory. */
export function mapUpdate(fd: number, key: number, value: number, flags = BPF_ANY): void {
  elemAttr(fd, key, value, flags);
  check('MAP_UPDATE_ELEM', call(CMD.MAP_UPDATE_ELEM));
}

/** BPF_MAP_DELETE_ELEM: false when the key was absent. */
export function mapDelete(fd: number, key: number): boolean {
  elemAttr(fd, key, 0, 0);
  const r = call(CMD.MAP_DELETE_ELEM);
  if (r === -2 /* ENOENT */) return false;
  check('MAP_DELETE_ELEM', r);
  return true;
}

/** BPF_MAP_GET_NEXT_KEY: false after the last key (`key` 0 asks for the first). */
export function mapNextKey(fd: number, key: number, next: number): boolean {
  elemAttr(fd, key, next, 0);
  const r = call(CMD.MAP_GET_NEXT_KEY);
  if (r === -2 /* ENOENT */) return false;
  check('MAP_GET_NEXT_KEY', r);
  return true;
}

/**
 * BPF_MAP_LOOKUP_BATCH: up to `count` entries after the position in `inBatch` (0: from the start)
 * into `keys`/`values`; the next position goes to `outBatch`. Returns how many were copied and
 * whether the map is exhausted.
 */
export function mapLookupBatch(
  fd: number,
  inBatch: number,
  outBatch: number,
  keys: number,
  values: number,
  count: number,
): { count: number; done: boolean } {
  const v = clearAttr();
  v.setBigUint64(0, BigInt(inBatch), true);
  v.setBigUint64(8, BigInt(outBatch), true);
  v.setBigUint64(16, BigInt(keys), true);
  v.setBigUint64(24, BigInt(values), true);
  v.setUint32(32, count, true);
  v.setUint32(36, fd, true);
  const r = call(CMD.MAP_LOOKUP_BATCH);
  const got = attr.view.getUint32(32, true);
  if (r === -2 /* ENOENT: no more entries, `got` were copied */) return { count: got, done: true };
  check('MAP_LOOKUP_BATCH', r);
  return { count: got, done: false };
}

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
      attr.bytes.set(Buffer.from(prog.name.slice(0, 15), 'latin1'), 48);
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
    this.message = `the kernel refused BPF program ${program} (errno ${errno}): ${log}`;
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
    return attr.view.getUint32(4, true);
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
