// Reading whole maps back: BPF_MAP_LOOKUP_BATCH, up to a thousand entries per call, into native
// buffers read in place (no object per entry: the slot array alone has 3072); an mmapable array
// through mmap.
import { koffi } from '../ffi.js';
import { mmap, munmap } from '../libc.js';
import { mapLookupBatch } from './bpf.js';
import { allocNative } from './native.js';

const CHUNK = 1024;

/**
 * Calls `each(keys, keyOff, values, valueOff)` for every entry of a hash or array map: the entry's
 * key and value are at those byte offsets of the two views, which are reused between calls.
 */
export function dumpMap(
  fd: number,
  keySize: number,
  valueSize: number,
  each: (keys: DataView, keyOff: number, values: DataView, valueOff: number) => void,
): void {
  const keys = allocNative(keySize * CHUNK);
  const values = allocNative(valueSize * CHUNK);
  const batch = allocNative(16);
  try {
    let first = true;
    for (;;) {
      const { count, done } = mapLookupBatch(
        fd,
        first ? 0 : batch.address,
        batch.address + 8,
        keys.address,
        values.address,
        CHUNK,
      );
      first = false;
      for (let i = 0; i < count; i++) each(keys.view, i * keySize, values.view, i * valueSize);
      if (done) return;
      // The next call starts where this one stopped.
      batch.view.setBigUint64(0, batch.view.getBigUint64(8, true), true);
    }
  } finally {
    keys.free();
    values.free();
    batch.free();
  }
}

const PROT_READ = 1;
const MAP_SHARED_POPULATE = 0x01 | 0x8000;
const PAGE = 4096;

/**
 * Calls `each(index, value)` for every non-zero u64 among the first `entries` of an mmapable array
 * map (BPF_F_MMAPABLE), read in place through mmap: no copy, and only the pages asked for are
 * faulted in (MAP_POPULATE, in one go: one by one costs ≈ 10 µs a page in these VMs). Where mmap
 * fails, the entries are read with BPF_MAP_LOOKUP_BATCH instead.
 */
export function eachNonZeroU64(
  fd: number,
  entries: number,
  each: (index: number, value: number) => void,
): void {
  if (entries <= 0) return;
  const bytes = Math.ceil((entries * 8) / PAGE) * PAGE;
  const mem = mmap(null, bytes, PROT_READ, MAP_SHARED_POPULATE, fd, 0);
  const address = BigInt(koffi.address(mem) as bigint | number);
  if (address === 0n || address === 0xffffffffffffffffn) {
    dumpMap(fd, 4, 8, (k, ko, v, vo) => {
      const index = k.getUint32(ko, true);
      const value = v.getUint32(vo, true) + v.getUint32(vo + 4, true) * 0x100000000;
      if (index < entries && value !== 0) each(index, value);
    });
    return;
  }
  try {
    const words = new Uint32Array(koffi.view(mem, bytes), 0, entries * 2);
    for (let i = 0; i < entries; i++) {
      const lo = words[2 * i]!;
      const hi = words[2 * i + 1]!;
      if (lo !== 0 || hi !== 0) each(i, hi * 0x100000000 + lo);
    }
  } finally {
    munmap(mem, bytes);
  }
}
