// The smallest BTF a program with a callback needs: the kernel wants each subprogram described by
// a FUNC type (func_info) before it accepts a bpf_loop() callback. One `int` and one prototype
// `int (void)` serve every function; only the names differ.

const BTF_MAGIC = 0xeb9f;
const HDR_LEN = 24;
const KIND_INT = 1;
const KIND_FUNC = 12;
const KIND_FUNC_PROTO = 13;
const INT_SIGNED = 1;
const LINKAGE_STATIC = 0;

/** A BTF blob for functions named `names` (type ids 3, 4, … in that order) and their func_info. */
export function funcBtf(names: readonly string[]): { blob: Uint8Array; typeIds: number[] } {
  let strings = '\0int\0';
  const nameOffs = names.map((n) => {
    const off = strings.length;
    strings += `${n}\0`;
    return off;
  });
  const words: number[] = [];
  // [1] int: 4 bytes, signed, 32 bits.
  words.push(1, KIND_INT << 24, 4, (INT_SIGNED << 24) | 32);
  // [2] int (void)
  words.push(0, KIND_FUNC_PROTO << 24, 1);
  // [3…] one FUNC per name.
  for (const off of nameOffs) words.push(off, (KIND_FUNC << 24) | LINKAGE_STATIC, 2);
  const typeLen = words.length * 4;
  const strBytes = Buffer.from(strings, 'latin1');
  const blob = new Uint8Array(HDR_LEN + typeLen + strBytes.length);
  const view = new DataView(blob.buffer);
  view.setUint16(0, BTF_MAGIC, true);
  view.setUint8(2, 1); // version
  view.setUint32(4, HDR_LEN, true);
  view.setUint32(8, 0, true);
  view.setUint32(12, typeLen, true);
  view.setUint32(16, typeLen, true);
  view.setUint32(20, strBytes.length, true);
  for (const [i, w] of words.entries()) view.setUint32(HDR_LEN + i * 4, w, true);
  blob.set(strBytes, HDR_LEN + typeLen);
  return { blob, typeIds: names.map((_, i) => 3 + i) };
}
