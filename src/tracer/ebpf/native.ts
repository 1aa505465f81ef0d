// Native memory owned by JS, for the pointers the kernel follows in bpf() attributes (koffi may
// copy typed arrays around a call, so their addresses are not stable).
import { koffi } from '../ffi.js';

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
