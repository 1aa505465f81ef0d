// Reading whole maps back: BPF_MAP_LOOKUP_BATCH, a few hundred entries per call, into native
// buffers read through DataViews.
import { allocNative, mapLookupBatch } from './bpf.js';

const CHUNK = 1024;

/** Calls `each(key, value)` for every entry of a hash or array map. Views are reused: copy what you keep. */
export function dumpMap(
  fd: number,
  keySize: number,
  valueSize: number,
  each: (key: DataView, value: DataView) => void,
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
      for (let i = 0; i < count; i++) {
        each(
          new DataView(keys.view.buffer, keys.view.byteOffset + i * keySize, keySize),
          new DataView(values.view.buffer, values.view.byteOffset + i * valueSize, valueSize),
        );
      }
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
