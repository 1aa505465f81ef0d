import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfilerError } from '../../../src/errors.js';
import { ProgramBuilder } from '../../../src/generator/bpf/builder.js';
import { formatProgram } from '../../../src/generator/bpf/disasm.js';
import { decodeProgram, encodeProgram } from '../../../src/generator/bpf/encode.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import {
  ABS,
  ADD,
  ALU,
  AND,
  B,
  DIV,
  H,
  IMM,
  IND,
  type Instruction,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  jump,
  K,
  LD,
  LDX,
  LEN,
  LSH,
  MEM,
  MISC,
  MOD,
  MSH,
  MUL,
  NEG,
  OR,
  RET,
  RET_A,
  RSH,
  ST,
  STX,
  SUB,
  stmt,
  TAX,
  TXA,
  type ValidatedProgram,
  W,
  X,
  XOR,
} from '../../../src/generator/bpf/types.js';
import { programProblem, validateProgram } from '../../../src/generator/bpf/validate.js';

const data = (...words: number[]): Uint8Array => {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => {
    view.setUint32(i * 4, w >>> 0, true);
  });
  return bytes;
};

// Each program returns A (RET|A) after the instructions under test; `input` is little-endian words.
const ALU_CASES: { name: string; prog: Instruction[]; input?: number[]; want: number }[] = [
  { name: 'LD IMM', prog: [stmt(LD | IMM, 7)], want: 7 },
  {
    name: 'LD W ABS (little-endian)',
    prog: [stmt(LD | W | ABS, 4)],
    input: [0, 0x11223344],
    want: 0x11223344,
  },
  { name: 'LD H ABS', prog: [stmt(LD | H | ABS, 4)], input: [0, 0x11223344], want: 0x3344 },
  { name: 'LD B ABS', prog: [stmt(LD | B | ABS, 5)], input: [0, 0x11223344], want: 0x33 },
  { name: 'LD LEN', prog: [stmt(LD | W | LEN)], want: 64 },
  { name: 'LD IND', prog: [stmt(LDX | W | IMM, 4), stmt(LD | W | IND, 4)], input: [0, 0, 9], want: 9 },
  { name: 'LDX MSH', prog: [stmt(LDX | B | MSH, 0), stmt(MISC | TXA)], input: [0x45], want: 20 },
  {
    name: 'ST/LD MEM',
    prog: [stmt(LD | IMM, 5), stmt(ST, 3), stmt(LD | IMM, 0), stmt(LD | MEM, 3)],
    want: 5,
  },
  {
    name: 'STX/LDX MEM',
    prog: [stmt(LDX | IMM, 6), stmt(STX, 15), stmt(LDX | MEM, 15), stmt(MISC | TXA)],
    want: 6,
  },
  { name: 'TAX', prog: [stmt(LD | IMM, 3), stmt(MISC | TAX), stmt(LD | IMM, 0), stmt(MISC | TXA)], want: 3 },
  { name: 'ADD wraps', prog: [stmt(LD | IMM, 0xffffffff), stmt(ALU | ADD | K, 2)], want: 1 },
  { name: 'SUB wraps', prog: [stmt(LD | IMM, 1), stmt(ALU | SUB | K, 2)], want: 0xffffffff },
  { name: 'MUL 32-bit', prog: [stmt(LD | IMM, 0x10000), stmt(ALU | MUL | K, 0x10001)], want: 0x10000 },
  { name: 'DIV', prog: [stmt(LD | IMM, 0xffffffff), stmt(ALU | DIV | K, 16)], want: 0x0fffffff },
  { name: 'MOD', prog: [stmt(LD | IMM, 17), stmt(ALU | MOD | K, 5)], want: 2 },
  { name: 'OR', prog: [stmt(LD | IMM, 0xf0), stmt(ALU | OR | K, 0x0f)], want: 0xff },
  { name: 'AND', prog: [stmt(LD | IMM, 0xf0f0), stmt(ALU | AND | K, 0xff00)], want: 0xf000 },
  { name: 'XOR', prog: [stmt(LD | IMM, 0xff), stmt(ALU | XOR | K, 0x0f)], want: 0xf0 },
  { name: 'LSH', prog: [stmt(LD | IMM, 0x80000001), stmt(ALU | LSH | K, 1)], want: 2 },
  { name: 'RSH is logical', prog: [stmt(LD | IMM, 0x80000000), stmt(ALU | RSH | K, 31)], want: 1 },
  { name: 'NEG', prog: [stmt(LD | IMM, 1), stmt(ALU | NEG)], want: 0xffffffff },
  { name: 'ALU with X', prog: [stmt(LDX | IMM, 3), stmt(LD | IMM, 4), stmt(ALU | ADD | X)], want: 7 },
  {
    name: 'DIV by X = 0 ends with 0',
    prog: [stmt(LDX | IMM, 0), stmt(LD | IMM, 4), stmt(ALU | DIV | X)],
    want: 0,
  },
  { name: 'load out of bounds ends with 0', prog: [stmt(LD | IMM, 9), stmt(LD | W | ABS, 62)], want: 0 },
];

const JUMP_CASES: { name: string; code: number; k: number; a: number; taken: boolean }[] = [
  { name: 'JEQ equal', code: JMP | JEQ | K, k: 5, a: 5, taken: true },
  { name: 'JEQ different', code: JMP | JEQ | K, k: 5, a: 6, taken: false },
  { name: 'JGT is unsigned', code: JMP | JGT | K, k: 1, a: 0x80000000, taken: true },
  { name: 'JGT equal', code: JMP | JGT | K, k: 5, a: 5, taken: false },
  { name: 'JGE equal', code: JMP | JGE | K, k: 5, a: 5, taken: true },
  { name: 'JGE below', code: JMP | JGE | K, k: 5, a: 4, taken: false },
  { name: 'JSET hit', code: JMP | JSET | K, k: 0x10, a: 0x30, taken: true },
  { name: 'JSET miss', code: JMP | JSET | K, k: 0x10, a: 0x20, taken: false },
];

describe('interpreter', () => {
  it.each(ALU_CASES)('$name', ({ prog, input, want }) => {
    const p = validateProgram([...prog, stmt(RET | RET_A)]);
    expect(runFilter(p, data(...(input ?? [])))).toBe(want);
  });

  it.each(JUMP_CASES)('$name', ({ code, k, a, taken }) => {
    const p = validateProgram([stmt(LD | IMM, a), jump(code, k, 1, 0), stmt(RET | K, 0), stmt(RET | K, 1)]);
    expect(runFilter(p, data())).toBe(taken ? 1 : 0);
  });

  it('JA skips, and the stats count executed instructions', () => {
    const p = validateProgram([stmt(JMP | JA, 1), stmt(RET | K, 1), stmt(RET | K, 2)]);
    const stats = { executed: 0 };
    expect(runFilter(p, data(), { stats })).toBe(2);
    expect(stats.executed).toBe(2);
  });

  it('reads big-endian when asked (packet filters)', () => {
    const p = validateProgram([stmt(LD | H | ABS, 0), stmt(RET | RET_A)]);
    expect(runFilter(p, Uint8Array.of(0x12, 0x34), { byteOrder: 'big' })).toBe(0x1234);
  });
});

describe('builder', () => {
  it('resolves labels and next', () => {
    const b = new ProgramBuilder();
    const yes = b.label('yes');
    b.stmt(LD | W | ABS, 0)
      .jump(JMP | JEQ | K, 42, yes, 'next')
      .ret(0)
      .bind(yes)
      .ret(1);
    const p = b.assemble();
    expect(p).toEqual([
      stmt(LD | W | ABS, 0),
      jump(JMP | JEQ | K, 42, 1, 0),
      stmt(RET | K, 0),
      stmt(RET | K, 1),
    ]);
    expect(runFilter(p, data(42))).toBe(1);
    expect(runFilter(p, data(41))).toBe(0);
  });

  it('turns a goto to a return into the return', () => {
    const b = new ProgramBuilder();
    const out = b.label();
    b.goto(out).ret(1).bind(out).ret(7);
    expect(b.assemble()[0]).toEqual(stmt(RET | K, 7));
  });

  it('inserts trampolines for conditional jumps past 255 and keeps semantics', () => {
    // 300 tests of A == i, each jumping to a far block that is not a return.
    const b = new ProgramBuilder();
    const far = b.label('far');
    b.stmt(LD | W | ABS, 0);
    for (let i = 0; i < 300; i++) b.jump(JMP | JEQ | K, i, far, 'next');
    b.ret(0xdead);
    b.bind(far)
      .stmt(LD | IMM, 0xbeef)
      .stmt(RET | RET_A);
    const p = b.assemble();
    expect(p.every((insn) => insn.jt <= 255 && insn.jf <= 255)).toBe(true);
    const trampolines = p.filter((insn) => insn.code === (JMP | JA)).length;
    // Reused while in reach: a handful, not one per jump.
    expect(trampolines).toBeGreaterThan(0);
    expect(trampolines).toBeLessThan(5);
    for (const nr of [0, 1, 150, 299]) expect(runFilter(p, data(nr))).toBe(0xbeef);
    expect(runFilter(p, data(300))).toBe(0xdead);
  });

  it('copies a far return instead of jumping to it', () => {
    const b = new ProgramBuilder();
    const allow = b.label('allow');
    b.stmt(LD | W | ABS, 0);
    for (let i = 0; i < 600; i++) b.jump(JMP | JEQ | K, i, allow, 'next');
    b.ret(0).bind(allow).ret(0x7fff0000);
    const p = b.assemble();
    expect(p.some((insn) => insn.code === (JMP | JA))).toBe(false);
    expect(p.filter((insn) => insn.code === (RET | K) && insn.k === 0x7fff0000).length).toBe(3);
    const stats = { executed: 0 };
    expect(runFilter(p, data(0), { stats })).toBe(0x7fff0000);
    expect(stats.executed).toBe(3);
    expect(runFilter(p, data(599))).toBe(0x7fff0000);
    expect(runFilter(p, data(600))).toBe(0);
  });

  it('handles both branches far at once', () => {
    const b = new ProgramBuilder();
    const [t, f] = [b.label('t'), b.label('f')];
    b.stmt(LD | W | ABS, 0).jump(JMP | JGE | K, 10, t, f);
    for (let i = 0; i < 400; i++) b.stmt(ALU | ADD | K, 1);
    b.bind(t)
      .stmt(LD | IMM, 1)
      .stmt(RET | RET_A);
    b.bind(f)
      .stmt(LD | IMM, 2)
      .stmt(RET | RET_A);
    const p = b.assemble();
    expect(runFilter(p, data(10))).toBe(1);
    expect(runFilter(p, data(9))).toBe(2);
  });

  it('drops a load of the word A already holds on every path, and only then', () => {
    const b = new ProgramBuilder();
    const [other, join] = [b.label('other'), b.label('join')];
    b.stmt(LD | W | ABS, 16).jump(JMP | JEQ | K, 1, 'next', other);
    b.stmt(LD | W | ABS, 16).jump(JMP | JEQ | K, 2, join, 'next'); // redundant load
    b.bind(other).stmt(LD | W | ABS, 16); // redundant: both paths hold word 16
    b.jump(JMP | JEQ | K, 3, join, 'next');
    b.stmt(ALU | ADD | K, 1);
    b.bind(join).stmt(LD | W | ABS, 16); // needed: one path holds word 16 + 1
    b.stmt(RET | RET_A);
    const p = b.assemble();
    expect(p.filter((i) => i.code === (LD | W | ABS)).length).toBe(2);
    for (const v of [1, 2, 3, 4]) expect(runFilter(p, data(0, 0, 0, 0, v))).toBe(v);
  });

  it('refuses programs past 4096 instructions with TOO_LARGE', () => {
    const b = new ProgramBuilder();
    for (let i = 0; i < 4096; i++) b.stmt(LD | IMM, i);
    b.ret(0);
    expect(() => b.assemble()).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });

  it('refuses backward jumps', () => {
    const b = new ProgramBuilder();
    const top = b.label('top');
    b.bind(top)
      .stmt(LD | IMM, 0)
      .goto(top)
      .ret(0);
    expect(() => b.assemble()).toThrow(/backwards/);
  });

  it('reports unbound labels', () => {
    const b = new ProgramBuilder();
    b.goto(b.label('nowhere'));
    expect(() => b.assemble()).toThrow(/never bound/);
  });
});

describe('validate, encode and decode', () => {
  const good = validateProgram([
    stmt(LD | W | ABS, 4),
    jump(JMP | JEQ | K, 0xc000003e, 0, 1),
    stmt(RET | K, 0x7fff0000),
    stmt(RET | K, 0),
  ]);

  it('round-trips through struct sock_filter bytes', () => {
    const bytes = encodeProgram(good);
    expect(bytes.byteLength).toBe(32);
    expect([...bytes.slice(8, 16)]).toEqual([0x15, 0, 0, 1, 0x3e, 0, 0, 0xc0]);
    expect(decodeProgram(bytes)).toEqual(good);
  });

  // encodeProgram takes only validated programs: these bytes are written by hand.
  const raw = (p: readonly Instruction[]) => encodeProgram(p as ValidatedProgram);
  it.each([
    ['empty', new Uint8Array(0), /empty/],
    ['a partial instruction', new Uint8Array(12), /whole number/],
    ['no final return', raw([stmt(LD | IMM, 1)]), /does not end with a return/],
    ['unknown opcode', raw([stmt(0xff, 0), stmt(RET | K, 0)]), /unknown opcode 0xff/],
    ['a jump past the end', raw([jump(JMP | JEQ | K, 0, 5, 0), stmt(RET | K, 0)]), /past the end/],
    ['division by constant zero', raw([stmt(ALU | DIV | K, 0), stmt(RET | K, 0)]), /divides by zero/],
    ['scratch slot 16', raw([stmt(ST, 16), stmt(RET | K, 0)]), /scratch memory slot 16/],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeProgram(bytes)).toThrow(ProfilerError);
    expect(() => decodeProgram(bytes)).toThrow(message);
  });

  it('accepts 4096 instructions and refuses 4097', () => {
    const p = [...new Array(4095).fill(stmt(LD | IMM, 0)), stmt(RET | K, 0)];
    expect(programProblem(p)).toBeUndefined();
    expect(programProblem([stmt(LD | IMM, 0), ...p])).toMatch(/at most 4096/);
  });
});

describe('disassembler', () => {
  it('lists raw fields and readable operations', () => {
    const text = formatProgram([
      stmt(LD | W | ABS, 0),
      jump(JMP | JGT | K, 10, 0, 2),
      stmt(ALU | AND | X),
      jump(JMP | JSET | K, 4, 1, 0),
      stmt(RET | RET_A),
      stmt(RET | K, 0x7fff0000),
    ]);
    expect(text).toBe(
      [
        ' line  CODE  JT   JF      K',
        '=================================',
        ' 0000: 0x20 0x00 0x00 0x00000000  A = data[0]',
        ' 0001: 0x25 0x00 0x02 0x0000000a  if (A <= 0xa) goto 0004',
        ' 0002: 0x5c 0x00 0x00 0x00000000  A &= X',
        ' 0003: 0x45 0x01 0x00 0x00000004  if (A & 0x4) goto 0005',
        ' 0004: 0x16 0x00 0x00 0x00000000  return A',
        ' 0005: 0x06 0x00 0x00 0x7fff0000  return 0x7fff0000',
        '',
      ].join('\n'),
    );
  });
});

describe('robustness', () => {
  const CODES = [
    LD | W | ABS,
    LD | H | ABS,
    LD | B | ABS,
    LD | W | IND,
    LD | W | LEN,
    LD | IMM,
    LD | MEM,
    LDX | IMM,
    LDX | MEM,
    LDX | B | MSH,
    ST,
    STX,
    ALU | ADD | K,
    ALU | SUB | X,
    ALU | MUL | K,
    ALU | DIV | X,
    ALU | MOD | X,
    ALU | AND | K,
    ALU | LSH | X,
    ALU | RSH | K,
    ALU | NEG,
    ALU | XOR | X,
    ALU | OR | K,
    MISC | TAX,
    MISC | TXA,
    JMP | JEQ | K,
    JMP | JGT | X,
    JMP | JGE | K,
    JMP | JSET | X,
    JMP | JA,
  ];
  const programArb = fc
    .array(fc.record({ code: fc.constantFrom(...CODES), k: fc.nat(), jt: fc.nat(), jf: fc.nat() }), {
      minLength: 1,
      maxLength: 60,
    })
    .map((raw) => {
      const n = raw.length + 1;
      const p: Instruction[] = raw.map(({ code, k, jt, jf }, pc) => {
        const left = n - pc - 1;
        if ((code & 0x07) === JMP) {
          return code === (JMP | JA)
            ? stmt(code, k % left)
            : jump(code, k, jt % Math.min(left, 256), jf % Math.min(left, 256));
        }
        const memory = code === (LD | MEM) || code === (LDX | MEM) || code === ST || code === STX;
        return stmt(code, memory ? k % 16 : (code & 0x07) === LD || (code & 0x07) === LDX ? k % 70 : k);
      });
      return [...p, stmt(RET | RET_A)];
    });

  it('runs every valid program to a return, whatever the data', () => {
    fc.assert(
      fc.property(programArb, fc.uint8Array({ minLength: 64, maxLength: 64 }), (p, bytes) => {
        const valid = validateProgram(p);
        const stats = { executed: 0 };
        const v = runFilter(valid, bytes, { stats });
        expect(v >>> 0).toBe(v);
        expect(stats.executed).toBeLessThanOrEqual(p.length);
        expect(decodeProgram(encodeProgram(valid))).toEqual(valid);
        expect(formatProgram(valid).split('\n').length).toBe(valid.length + 3);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes random bytes to a valid program or a ProfilerError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const p = decodeProgram(bytes);
          expect(programProblem(p)).toBeUndefined();
        } catch (error) {
          expect(error).toBeInstanceOf(ProfilerError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
