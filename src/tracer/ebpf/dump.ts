// Reading whole maps back: BPF_MAP_LOOKUP_BATCH, up to a thousand entries per call, into native
// buffers read in place (no object per entry: the slot array alone has 3072).
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
