// The BTF reader: member offsets through anonymous structs and unions, typedef/const chains,
// arrays, and bitfields (never reported as byte offsets). On a synthetic blob, so it runs
// everywhere; and on this kernel's own BTF where the host lets us read it.
import { describe, expect, it } from 'vitest';
import { Btf, loadVmlinuxBtf } from '../../../src/tracer/ebpf/btf.js';
import { layoutFromBtf } from '../../../src/tracer/ebpf/layout.js';
import { needs } from '../../support/host.js';

/** A tiny BTF writer: types are word arrays (after the 12-byte header), names go in the string table. */
class BtfWriter {
  private strings = '\0';
  private readonly words: number[] = [];
  private next = 1;

  private name(n: string): number {
    if (n === '') return 0;
    const off = this.strings.length;
    this.strings += `${n}\0`;
    return off;
  }

  private add(
    name: string,
    kind: number,
    vlen: number,
    sizeOrType: number,
    extra: number[],
    kflag = 0,
  ): number {
    this.words.push(this.name(name), (kflag << 31) | (kind << 24) | vlen, sizeOrType, ...extra);
    return this.next++;
  }

  int(name: string, size: number): number {
    return this.add(name, 1, 0, size, [size * 8]);
  }
  ptr(to: number): number {
    return this.add('', 2, 0, to, []);
  }
  array(elem: number, n: number): number {
    return this.add('', 3, 0, 0, [elem, elem, n]);
  }
  typedef(name: string, to: number): number {
    return this.add(name, 8, 0, to, []);
  }
  constOf(to: number): number {
    return this.add('', 10, 0, to, []);
  }
  /** Members: [name, type, bit offset, bitfield size (0: none)]. */
  struct(name: string, size: number, members: [string, number, number, number?][], union = false): number {
    const kflag = members.some((m) => (m[3] ?? 0) > 0) ? 1 : 0;
    const extra = members.flatMap(([n, t, bits, width]) => [
      this.name(n),
      t,
      kflag ? ((width ?? 0) << 24) | bits : bits,
    ]);
    return this.add(name, union ? 5 : 4, members.length, size, extra, kflag);
  }

  blob(): ArrayBuffer {
    const str = Buffer.from(this.strings, 'latin1');
    const typeLen = this.words.length * 4;
    const out = new ArrayBuffer(24 + typeLen + str.length + 3);
    const v = new DataView(out);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 24, true);
    v.setUint32(8, 0, true);
    v.setUint32(12, typeLen, true);
    v.setUint32(16, typeLen, true);
    v.setUint32(20, str.length, true);
    this.words.forEach((w, i) => {
      v.setUint32(24 + i * 4, w >>> 0, true);
    });
    new Uint8Array(out).set(str, 24 + typeLen);
    return out;
  }
}

function sample() {
  const w = new BtfWriter();
  const u32 = w.int('unsigned int', 4);
  const u64 = w.int('long long unsigned int', 8);
  const chr = w.int('char', 1);
  const hashLen = w.struct('', 8, [
    ['hash', u32, 0],
    ['len', u32, 32],
  ]);
  const union = w.struct(
    '',
    8,
    [
      ['', hashLen, 0],
      ['hash_len', u64, 0],
    ],
    true,
  );
  const qstr = w.struct('qstr', 16, [
    ['', union, 0],
    ['name', w.ptr(w.constOf(chr)), 64],
  ]);
  const qstrT = w.typedef('qstr_t', qstr);
  const item = w.struct('item', 64, [
    ['flags', u32, 0, 3],
    ['mode', u32, 3, 5],
    ['count', u32, 32],
    ['d_name', w.constOf(qstrT), 64],
    ['names', w.array(chr, 16), 192],
    ['tail', u64, 320],
  ]);
  return { btf: new Btf(w.blob()), qstr, item };
}

describe('member lookup', () => {
  it('finds structs by name and plain members with their sizes', () => {
    const { btf, item, qstr } = sample();
    expect(btf.findStructs(['item', 'qstr', 'absent'])).toEqual(
      new Map([
        ['item', item],
        ['qstr', qstr],
      ]),
    );
    expect(btf.member(item, 'count')).toEqual({ offset: 4, size: 4 });
    expect(btf.member(item, 'tail')).toEqual({ offset: 40, size: 8 });
    expect(btf.member(item, 'names')).toEqual({ offset: 24, size: 16 });
  });

  it('looks inside anonymous unions and structs (qstr.len), through const and typedef', () => {
    const { btf, qstr, item } = sample();
    expect(btf.member(qstr, 'len')).toEqual({ offset: 4, size: 4 });
    expect(btf.member(qstr, 'hash_len')).toEqual({ offset: 0, size: 8 });
    expect(btf.member(qstr, 'name')).toEqual({ offset: 8, size: 8 });
    const dName = btf.memberType(item, 'd_name');
    expect(dName).toBeDefined();
    expect(btf.member(dName!, 'len')).toEqual({ offset: 4, size: 4 });
  });

  it('never reports a bitfield, and says nothing of members that do not exist', () => {
    const { btf, item } = sample();
    expect(btf.member(item, 'flags')).toBeUndefined();
    expect(btf.member(item, 'mode')).toBeUndefined();
    expect(btf.member(item, 'nope')).toBeUndefined();
  });

  it('refuses a blob that is not BTF', () => {
    expect(() => new Btf(new ArrayBuffer(32))).toThrow(/not BTF/);
  });
});

describe("this kernel's BTF", needs('ebpf'), () => {
  it('has every field the programs read, at offsets consistent with the kernel sources', () => {
    const btf = loadVmlinuxBtf();
    expect(btf).toBeDefined();
    try {
      const layout = layoutFromBtf(btf!);
      // pid and tgid are adjacent pid_t fields; the x86-64 pt_regs layout is fixed by the entry code.
      expect(layout.taskTgid - layout.taskPid).toBe(4);
      expect(layout.argRegs64).toEqual([112, 104, 96, 56, 72, 64]);
      expect(layout.argRegs32).toEqual([40, 88, 96, 104, 112, 32]);
      expect(layout.taskStatus).toBeDefined();
      expect(layout.dentryNameLen - layout.dentryName).toBe(-4);
    } finally {
      btf!.release();
    }
  });
});
