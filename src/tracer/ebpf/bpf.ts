// The bpf(2) system call through koffi, and the map commands (programs: bpf-prog.ts). Every pointer
// the kernel follows lives in native memory we own (native.ts), `union bpf_attr` included. Numbers and layouts are
// from include/uapi/linux/bpf.h.

import { errnoNumber, errnoText } from '../../arch/errno.js';
import { nativeArch, syscallNumber } from '../../arch/index.js';
import { koffi } from '../ffi.js';
import { syscallBpf } from '../libc.js';
import { allocNative } from './native.js';

/** bpf(2)'s number on this machine (the eBPF backend itself only runs on x86_64, see layout.ts). */
const SYS_BPF = syscallNumber(nativeArch(), 'bpf')!;

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

/** A failed bpf() command: `errno` for callers that react to it (ENOENT, EEXIST, E2BIG…). */
export class BpfError extends Error {
  constructor(
    readonly command: string,
    readonly errno: number,
  ) {
    super(`bpf(${command}) failed: ${errnoText(errno)}`);
    this.name = 'BpfError';
  }
}

const ATTR_SIZE = 128;
const attr = allocNative(ATTR_SIZE);

export function clearAttr(): DataView {
  attr.bytes.fill(0);
  return attr.view;
}

const EAGAIN = errnoNumber('EAGAIN')!;
const ENOENT = errnoNumber('ENOENT')!;
/** How often a command interrupted by a signal is tried again (libbpf retries program loads 5 times). */
const EAGAIN_TRIES = 8;

/**
 * bpf(cmd, attr): the result (an fd or 0), or -errno. The verifier gives up with EAGAIN when a
 * signal is pending (a profiler's SIGPROF, a SIGCHLD): the same attribute is simply tried again.
 */
export function call(cmd: number): number {
  for (let tries = 1; ; tries++) {
    const r = syscallBpf(SYS_BPF, cmd, attr.address, ATTR_SIZE);
    if (r >= 0) return r;
    const err = koffi.errno();
    if (err !== EAGAIN || tries >= EAGAIN_TRIES) return -err;
  }
}

/** Writes an object name (at most 15 characters, NUL-padded: BPF_OBJ_NAME_LEN) into the attribute. */
export function setName(view: DataView, offset: number, name: string): void {
  for (let i = 0; i < 15 && i < name.length; i++) view.setUint8(offset + i, name.charCodeAt(i) & 0xff);
}

/** The attribute as the kernel left it after the last command. */
export function readAttr(): DataView {
  return attr.view;
}

/**
 * Any bpf() command: `fill` writes the attribute fields into a zeroed `union bpf_attr`. Returns the
 * result (an fd or 0, or -errno) and the attribute as the kernel left it (valid until the next call).
 */
export function rawBpf(cmd: number, fill: (attr: DataView) => void): { result: number; view: DataView } {
  fill(clearAttr());
  return { result: call(cmd), view: attr.view };
}

export function check(name: string, r: number): number {
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
  setName(v, 28, spec.name);
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
  if (r === -ENOENT) return false;
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
  if (r === -ENOENT) return false;
  check('MAP_DELETE_ELEM', r);
  return true;
}

/** BPF_MAP_GET_NEXT_KEY: false after the last key (`key` 0 asks for the first). */
export function mapNextKey(fd: number, key: number, next: number): boolean {
  elemAttr(fd, key, next, 0);
  const r = call(CMD.MAP_GET_NEXT_KEY);
  if (r === -ENOENT) return false;
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
  if (r === -ENOENT /* no more entries; `got` were copied */) return { count: got, done: true };
  check('MAP_LOOKUP_BATCH', r);
  return { count: got, done: false };
}
