// A reader for the kernel's own type information (BTF, Documentation/bpf/btf.rst): just enough
// to find the byte offset of a struct member, following anonymous structs and unions. This is
// what lets one program run on every kernel build without headers ("CO-RE"): the offsets come
// from the running kernel, not from a compiler.
//
// The blob (≈ 5.5 MB) is copied in one bpf(BPF_OBJ_GET_INFO_BY_FD) into memory mapped with
// MAP_POPULATE: faulting 1350 fresh pages in one by one costs ≈ 60 ms in the VMs we run on, the
// populated copy ≈ 10 ms. Types are scanned lazily, only as far as the lookups need.
import { errnoNumber } from '../../arch/errno.js';
import { koffi } from '../ffi.js';
import { close, mmap, munmap } from '../libc.js';
import { BpfError, CMD, rawBpf } from './bpf.js';
import { allocNative } from './native.js';

const KIND_INT = 1;
const KIND_PTR = 2;
const KIND_ARRAY = 3;
const KIND_STRUCT = 4;
const KIND_UNION = 5;
const KIND_ENUM = 6;
const KIND_TYPEDEF = 8;
const KIND_VOLATILE = 9;
const KIND_CONST = 10;
const KIND_RESTRICT = 11;
const KIND_FUNC_PROTO = 13;
const KIND_VAR = 14;
const KIND_DATASEC = 15;
const KIND_DECL_TAG = 17;
const KIND_TYPE_TAG = 18;
const KIND_ENUM64 = 19;
const MODIFIERS = new Set([KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG]);

const PROT_RW = 3;
const MAP_PRIVATE_ANON_POPULATE = 0x02 | 0x20 | 0x8000;

/** A member found by name: its byte offset in the outer struct and its size in bytes. */
export interface Member {
  readonly offset: number;
  readonly size: number;
}

/** A parsed BTF blob. Call release() when done: the memory is not managed by V8. */
export class Btf {
  private readonly u32: Uint32Array;
  private readonly bytes: Buffer;
  private readonly strOff: number;
  private readonly typesEnd: number;
  /** Word index of each type record scanned so far; type ids start at 1. */
  private readonly index: number[] = [0];
  private scanPos: number;

  constructor(
    buffer: ArrayBuffer,
    private readonly onRelease: () => void = () => {},
  ) {
    this.bytes = Buffer.from(buffer);
    const view = new DataView(buffer);
    if (view.getUint16(0, true) !== 0xeb9f) throw new Error('not BTF (bad magic)');
    const hdrLen = view.getUint32(4, true);
    const typeOff = hdrLen + view.getUint32(8, true);
    const typeLen = view.getUint32(12, true);
    this.strOff = hdrLen + view.getUint32(16, true);
    if (typeOff % 4 !== 0) throw new Error('BTF type section not 4-byte aligned');
    this.u32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    this.scanPos = typeOff >>> 2;
    this.typesEnd = (typeOff + typeLen) >>> 2;
  }

  release(): void {
    this.onRelease();
  }

  /** Extends the index up to type `id` (or to the end); the one hot loop here, kept flat. */
  private scanTo(id: number): void {
    const u32 = this.u32;
    const index = this.index;
    const end = this.typesEnd;
    let p = this.scanPos;
    while (index.length <= id && p < end) {
      index.push(p);
      const info = u32[p + 1]!;
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      p += 3;
      if (kind === KIND_INT || kind === KIND_VAR || kind === KIND_DECL_TAG) p += 1;
      else if (kind === KIND_ARRAY) p += 3;
      else if (kind === KIND_STRUCT || kind === KIND_UNION || kind === KIND_DATASEC || kind === KIND_ENUM64)
        p += 3 * vlen;
      else if (kind === KIND_ENUM || kind === KIND_FUNC_PROTO) p += 2 * vlen;
    }
    this.scanPos = p;
  }

  private at(id: number): number {
    if (this.index.length <= id) this.scanTo(id);
    const p = this.index[id];
    if (p === undefined) throw new Error(`BTF type ${id} out of range`);
    return p;
  }

  private kindOf(p: number): number {
    return (this.u32[p + 1]! >>> 24) & 0x1f;
  }

  /** True when the NUL-terminated string at `nameOff` is `name` (latin1 bytes). */
  private nameIs(nameOff: number, name: Buffer): boolean {
    const bytes = this.bytes;
    const start = this.strOff + nameOff;
    if (bytes[start + name.length] !== 0) return false;
    for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
    return true;
  }

  /**
   * Type ids of the structs (or unions) with these names, in one pass that stops once all are
   * found; a name the kernel does not have is absent from the result.
   */
  findStructs(names: readonly string[]): Map<string, number> {
    const wanted = names.map((n) => Buffer.from(n, 'latin1'));
    const found = new Map<string, number>();
    const u32 = this.u32;
    for (let id = 1; found.size < names.length; id++) {
      if (this.index.length <= id) this.scanTo(id + 4096);
      const p = this.index[id];
      if (p === undefined) break;
      const kind = (u32[p + 1]! >>> 24) & 0x1f;
      if (kind !== KIND_STRUCT && kind !== KIND_UNION) continue;
      const first = this.bytes[this.strOff + u32[p]!];
      for (let i = 0; i < wanted.length; i++) {
        const w = wanted[i]!;
        if (w[0] === first && !found.has(names[i]!) && this.nameIs(u32[p]!, w)) found.set(names[i]!, id);
      }
    }
    return found;
  }

  /** Type id of the struct (or union) called `name`; undefined if none. */
  findStruct(name: string): number | undefined {
    return this.findStructs([name]).get(name);
  }

  private resolve(id: number): number {
    let p = this.at(id);
    while (MODIFIERS.has(this.kindOf(p))) p = this.at(this.u32[p + 2]!);
    return p;
  }

  /** Size in bytes of type `id` (modifiers followed). */
  sizeOf(id: number): number {
    const p = this.resolve(id);
    const kind = this.kindOf(p);
    if (kind === KIND_PTR) return 8;
    if (kind === KIND_ARRAY) return this.sizeOf(this.u32[p + 3]!) * this.u32[p + 5]!;
    return this.u32[p + 2]!;
  }

  /**
   * Offset and size of member `name` of struct/union `id`, looking inside anonymous members.
   * Undefined when there is no such member or it is a bitfield.
   */
  member(id: number, name: string): Member | undefined {
    const want = Buffer.from(name, 'latin1');
    const p = this.resolve(id);
    const kind = this.kindOf(p);
    if (kind !== KIND_STRUCT && kind !== KIND_UNION) return undefined;
    const info = this.u32[p + 1]!;
    const bitfields = info >>> 31 === 1;
    const vlen = info & 0xffff;
    for (let i = 0; i < vlen; i++) {
      const m = p + 3 + 3 * i;
      const nameOff = this.u32[m]!;
      const type = this.u32[m + 1]!;
      const raw = this.u32[m + 2]!;
      const bitOffset = bitfields ? raw & 0xffffff : raw;
      if (bitfields && raw >>> 24 !== 0) continue;
      if (bitOffset % 8 !== 0) continue;
      if (nameOff === 0) {
        const inner = this.member(type, name);
        if (inner) return { offset: bitOffset / 8 + inner.offset, size: inner.size };
      } else if (this.nameIs(nameOff, want)) {
        return { offset: bitOffset / 8, size: this.sizeOf(type) };
      }
    }
    return undefined;
  }

  /** Type id of member `name` of struct `id` (for walking into embedded structs). */
  memberType(id: number, name: string): number | undefined {
    const want = Buffer.from(name, 'latin1');
    const p = this.resolve(id);
    const vlen = this.u32[p + 1]! & 0xffff;
    for (let i = 0; i < vlen; i++) {
      const m = p + 3 + 3 * i;
      if (this.u32[m] === 0) {
        const inner = this.memberType(this.u32[m + 1]!, name);
        if (inner !== undefined) return inner;
      } else if (this.nameIs(this.u32[m]!, want)) return this.u32[m + 1]!;
    }
    return undefined;
  }
}

/** The running kernel's BTF (bpf BTF object "vmlinux"); undefined when the kernel has none. Throws BpfError (EPERM…). */
export function loadVmlinuxBtf(): Btf | undefined {
  const info = allocNative(64);
  const name = allocNative(16);
  try {
    let id = 0;
    for (let tries = 0; tries < 4096; tries++) {
      const next = rawBpf(CMD.BTF_GET_NEXT_ID, (v) => v.setUint32(0, id, true));
      if (next.result === -errnoNumber('ENOENT')! /* no more */) return undefined;
      if (next.result < 0) throw new BpfError('BTF_GET_NEXT_ID', -next.result);
      id = next.view.getUint32(4, true);
      const got = rawBpf(CMD.BTF_GET_FD_BY_ID, (v) => v.setUint32(0, id, true));
      if (got.result < 0) continue;
      const fd = got.result;
      try {
        const query = (buf: number, size: number) => {
          info.bytes.fill(0);
          info.view.setBigUint64(0, BigInt(buf), true);
          info.view.setUint32(8, size, true);
          info.view.setBigUint64(16, BigInt(name.address), true);
          info.view.setUint32(24, 16, true);
          return rawBpf(CMD.OBJ_GET_INFO_BY_FD, (v) => {
            v.setUint32(0, fd, true);
            v.setUint32(4, 32, true);
            v.setBigUint64(8, BigInt(info.address), true);
          }).result;
        };
        if (query(0, 0) < 0) continue;
        const kernelBtf = info.view.getUint32(28, true) === 1;
        if (!kernelBtf || Buffer.from(name.bytes).toString('latin1', 0, 8) !== 'vmlinux\0') continue;
        const size = info.view.getUint32(8, true);
        const mem = mmap(null, size, PROT_RW, MAP_PRIVATE_ANON_POPULATE, -1, 0);
        const address = BigInt(koffi.address(mem) as bigint | number);
        if (address === 0n || address === 0xffffffffffffffffn) return undefined; // MAP_FAILED
        if (query(Number(address), size) < 0) {
          munmap(mem, size);
          return undefined;
        }
        return new Btf(koffi.view(mem, size), () => munmap(mem, size));
      } finally {
        close(fd);
      }
    }
    return undefined;
  } finally {
    info.free();
    name.free();
  }
}
