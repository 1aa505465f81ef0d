// fast-check arbitraries that damage valid inputs the way files get damaged, or forged: values
// replaced anywhere in the JSON tree (wrong types, huge and negative numbers, hostile strings, deep
// nesting), keys dropped, text cut and spliced, bytes flipped, BPF instructions rewritten.
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value (arrays by index, objects by key), the root included. */
function paths(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

/** A copy of `root` with the value at `path` replaced (`undefined` deletes it). */
function setAt(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    const next = setAt(copy[head as number] ?? null, rest, value);
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  if (root !== null && typeof root === 'object') {
    const copy = { ...root };
    if (value === undefined && rest.length === 0) delete copy[head as string];
    else copy[head as string] = setAt(copy[head as string] ?? null, rest, value);
    return copy;
  }
  return root;
}

/** Strings that have broken parsers and emitters before. */
const nastyString = fc.constantFrom(
  '',
  'x\n[Service]\nExecStartPre=/bin/false',
  '*/ int x; /*',
  '\u0000',
  '\udc80\udcff',
  '\ud800',
  '\u2028\u0085\u202e',
  '\u001b[2J',
  'read',
  'SCMP_ACT_ALLOW',
  'SCMP_ARCH_X86_64',
  'SCMP_CMP_MASKED_EQ',
  '__proto__',
  'constructor',
  'x86_64',
  'i386',
  '9'.repeat(40),
  '-1',
  'a'.repeat(5000),
);

const nastyNumber = fc.constantFrom(
  -1,
  0,
  1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER,
  1.5,
  1e308,
  -0,
  6,
  0x7fff0000,
);

const DEEP = 'fuzz:deep-nesting';
const DEEP_TEXT = `${'['.repeat(6000)}${']'.repeat(6000)}`;

/** A replacement value: anything JSON can hold, biased towards trouble. */
const replacement: fc.Arbitrary<Json> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom<Json>(null, true, false, [], {}, [[[[[]]]]], { names: ['read'] }, [{}]),
  // Stands for 6000 nested arrays, spliced into the text (JSON.stringify cannot nest that deep):
  // enough to exhaust a recursive reader's stack, which util/json.ts MAX_JSON_DEPTH prevents.
  fc.constant(DEEP),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** One edit of a JSON tree. */
const treeEdit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'wrap', 'duplicate', 'rename'),
  value: replacement,
  key: nastyString,
});

/** A copy of `root` where the object holding `path`'s last key has that key renamed. */
function renameAt(root: Json, path: readonly (string | number)[], key: string): Json {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return root;
  const parentPath = path.slice(0, -1);
  const parent = parentPath.reduce<Json>((v, k) => (v as Record<string, Json>)?.[k as string] ?? null, root);
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return root;
  const renamed: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(parent))
    Object.defineProperty(renamed, k === last ? key : k, { value: v, enumerable: true, writable: true });
  return setAt(root, parentPath, renamed);
}

/** `seed` with 1–4 tree edits, as JSON text. */
export function mutatedJson(seed: Json): fc.Arbitrary<string> {
  const all = paths(seed);
  return fc.array(treeEdit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let doc = seed;
    for (const edit of edits) {
      const live = paths(doc);
      const path = live[edit.at % live.length] ?? all[0]!;
      if (edit.op === 'rename') {
        doc = renameAt(doc, path, edit.key);
        continue;
      }
      const here = path.reduce<Json>((v, k) => (v as Record<string, Json>)?.[k as string] ?? null, doc);
      const value =
        edit.op === 'delete'
          ? undefined
          : edit.op === 'wrap'
            ? [here]
            : edit.op === 'duplicate'
              ? Array.isArray(here)
                ? [...here, ...here]
                : here
              : edit.value;
      doc = setAt(doc, path, value);
    }
    return JSON.stringify(doc).replaceAll(`"${DEEP}"`, DEEP_TEXT);
  });
}

/** One edit of text: cut, splice in junk, or swap a number for a huge one. */
const textEdit = fc.record({
  at: fc.nat(),
  len: fc.nat({ max: 40 }),
  op: fc.constantFrom('cut', 'insert', 'truncate', 'bignum', 'bom'),
  junk: fc.oneof(
    nastyString,
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('{', '[', '"', '\\', ',', ':'),
  ),
});

/** `text` with 1–3 text edits. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  return fc.array(textEdit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let t = text;
    for (const e of edits) {
      const at = t.length ? e.at % t.length : 0;
      if (e.op === 'cut') t = t.slice(0, at) + t.slice(at + e.len);
      else if (e.op === 'insert') t = t.slice(0, at) + e.junk + t.slice(at);
      else if (e.op === 'truncate') t = t.slice(0, at);
      else if (e.op === 'bom') t = `\ufeff${t}`;
      else t = t.replace(/\d+/g, (m, offset: number) => (offset >= at ? '18446744073709551617' : m));
    }
    return t;
  });
}

/** BPF bytes with instructions rewritten, bytes flipped, or the length broken. */
export function mutatedBpf(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const insns = bytes.length / 8;
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('insn' as const),
      at: fc.nat(),
      code: fc.nat(0xffff),
      jt: fc.nat(255),
      jf: fc.nat(255),
      k: fc.nat(0xffffffff),
    }),
    fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.nat(255) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('grow' as const), count: fc.integer({ min: 1, max: 5000 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let out = Buffer.from(bytes);
    for (const e of edits) {
      if (e.kind === 'insn') {
        const o = (e.at % Math.max(1, insns)) * 8;
        if (o + 8 <= out.length) {
          out.writeUInt16LE(e.code, o);
          out.writeUInt8(e.jt, o + 2);
          out.writeUInt8(e.jf, o + 3);
          out.writeUInt32LE(e.k, o + 4);
        }
      } else if (e.kind === 'byte') {
        if (out.length) out[e.at % out.length] = e.value;
      } else if (e.kind === 'cut') out = out.subarray(0, out.length ? e.at % out.length : 0);
      else {
        // Copies of `ret ALLOW`: valid instructions, but a program past the kernel's 4096 limit.
        const ret = Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);
        out = Buffer.concat([out, ...Array.from({ length: e.count }, () => ret)]);
      }
    }
    return new Uint8Array(out);
  });
}
