// The eBPF assembler: encodings checked byte for byte against the kernel's instruction format
// (Documentation/bpf/standardization/instruction-set.rst), labels resolved forwards and
// backwards, and every malformed program refused before the kernel sees it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfAssembler } from '../../../src/tracer/ebpf/asm.js';
import {
  ADD,
  AND,
  B,
  DW,
  encodeInsns,
  H,
  HELPER,
  JEQ,
  JGT,
  JNE,
  JSET,
  LSH,
  R0,
  R1,
  R2,
  R6,
  R10,
  W,
} from '../../../src/tracer/ebpf/insn.js';

const hex = (bytes: Uint8Array): string[] =>
  Array.from({ length: bytes.length / 8 }, (_, i) =>
    Buffer.from(bytes.subarray(i * 8, i * 8 + 8)).toString('hex'),
  );

describe('encodings', () => {
  it.each([
    ['r0 = 0', (a: EbpfAssembler) => a.mov(R0, 0), 'b700000000000000'],
    ['exit', (a: EbpfAssembler) => a.exit(), '9500000000000000'],
    ['r1 = r10', (a: EbpfAssembler) => a.mov(R1, R10), 'bfa1000000000000'],
    ['r1 += -4', (a: EbpfAssembler) => a.alu64(ADD, R1, -4), '07010000fcffffff'],
    ['r1 <<= r2', (a: EbpfAssembler) => a.alu64(LSH, R1, R2), '6f21000000000000'],
    ['w1 &= 0xc0000000', (a: EbpfAssembler) => a.alu32(AND, R1, 0xc0000000), '54010000000000c0'],
    ['r6 = *(u64 *)(r1 + 8)', (a: EbpfAssembler) => a.ldx(DW, R6, R1, 8), '7916080000000000'],
    ['r0 = *(u16 *)(r6 - 2)', (a: EbpfAssembler) => a.ldx(H, R0, R6, -2), '6960feff00000000'],
    ['*(u32 *)(r10 - 4) = r1', (a: EbpfAssembler) => a.st(W, R10, -4, R1), '631afcff00000000'],
    ['*(u8 *)(r1 + 8) = 0x2f', (a: EbpfAssembler) => a.st(B, R1, 8, 0x2f), '720108002f000000'],
    ['*(u64 *)(r10 - 8) = 1', (a: EbpfAssembler) => a.st(DW, R10, -8, 1), '7a0af8ff01000000'],
    ['lock *(u64 *)(r0 + 0) += r1', (a: EbpfAssembler) => a.atomicAdd(DW, R0, 0, R1), 'db10000000000000'],
    [
      'r1 = atomic_fetch_add((u32 *)(r6 + 12), r1)',
      (a: EbpfAssembler) => a.atomicAdd(W, R6, 12, R1, true),
      'c3160c0001000000',
    ],
    ['r1 = xchg((u32 *)(r0 + 8), r1)', (a: EbpfAssembler) => a.atomicXchg(W, R0, 8, R1), 'c3100800e1000000'],
    [
      'call bpf_get_current_pid_tgid',
      (a: EbpfAssembler) => a.call(HELPER.getCurrentPidTgid),
      '850000000e000000',
    ],
  ] as const)('%s', (_name, emit, bytes) => {
    const a = new EbpfAssembler();
    emit(a);
    expect(hex(a.assemble())).toEqual([bytes]);
  });

  it('ld_imm64 takes two slots: low word first, high word in the second', () => {
    const a = new EbpfAssembler().ldImm64(R2, 0x1122334455667788n);
    expect(hex(a.assemble())).toEqual(['1802000088776655', '0000000044332211']);
  });

  it('a map reference is ld_imm64 with src_reg BPF_PSEUDO_MAP_FD and the fd in imm', () => {
    const a = new EbpfAssembler().ldMapFd(R1, 5);
    expect(hex(a.assemble())).toEqual(['1811000005000000', '0000000000000000']);
  });

  it('matches the kernel struct layout field by field', () => {
    const bytes = encodeInsns([{ code: 0x85, dst: 3, src: 9, off: -2, imm: -1 }]);
    expect(Buffer.from(bytes).toString('hex')).toBe('8593feffffffffff');
  });
});

describe('labels', () => {
  it('resolve forward jumps relative to the next instruction', () => {
    const a = new EbpfAssembler();
    const out = a.label('out');
    a.jmp(JEQ, R0, 0, out).mov(R0, 1).mov(R0, 2).bind(out).exit();
    expect(hex(a.assemble())[0]).toBe('1500020000000000');
  });

  it('resolve backward jumps (eBPF allows loops the verifier can bound)', () => {
    const a = new EbpfAssembler();
    const top = a.label('top');
    const out = a.label('out');
    a.bind(top).alu64(ADD, R1, 1).jmp(JGT, R1, 9, out).goto(top).bind(out).exit();
    expect(hex(a.assemble()).slice(1, 3)).toEqual(['2501010009000000', '0500fdff00000000']);
  });

  it('count ld_imm64 as two slots', () => {
    const a = new EbpfAssembler();
    const out = a.label('out');
    a.jmp(JNE, R1, R2, out).ldImm64(R0, 1n).bind(out).exit();
    const insns = a.resolve();
    expect(insns[0]?.off).toBe(2);
    expect(a.positionOf(out)).toBe(3);
  });

  it('a callback reference (bpf_loop) carries the subprogram offset in imm, src_reg BPF_PSEUDO_FUNC', () => {
    const a = new EbpfAssembler();
    const fn = a.label('fn');
    a.ldFunc(R2, fn).mov(R0, 0).exit().bind(fn).mov(R0, 1).exit();
    const insns = a.resolve();
    expect(insns[0]).toMatchObject({ code: 0x18, dst: 2, src: 4, imm: 3 });
  });

  it('every jump lands on its label, whatever the mix of one- and two-slot instructions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ wide: fc.boolean(), jumpTo: fc.option(fc.nat(40), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        (items) => {
          const a = new EbpfAssembler();
          const labels = items.map((_, i) => a.label(`L${i}`));
          const jumps: { at: number; to: number }[] = [];
          items.forEach((item, i) => {
            a.bind(labels[i]!);
            if (item.jumpTo !== undefined) {
              const to = item.jumpTo % items.length;
              jumps.push({ at: a.length, to });
              a.jmp(JSET, R1, 1, labels[to]!);
            } else if (item.wide) a.ldImm64(R1, 7n);
            else a.mov(R1, 7);
          });
          a.exit();
          const insns = a.resolve();
          for (const { at, to } of jumps) expect(at + 1 + insns[at]!.off).toBe(a.positionOf(labels[to]!));
        },
      ),
    );
  });
});

describe('malformed programs are refused', () => {
  it('an unbound label', () => {
    const a = new EbpfAssembler();
    a.goto(a.label('nowhere')).exit();
    expect(() => a.assemble()).toThrow(/label nowhere#0 never bound/);
  });

  it('a label bound twice', () => {
    const a = new EbpfAssembler();
    const l = a.label('twice');
    a.bind(l);
    expect(() => a.bind(l)).toThrow(/bound twice/);
  });

  it('a label bound past the last instruction', () => {
    const a = new EbpfAssembler();
    const l = a.label('end');
    a.goto(l).exit().bind(l);
    expect(() => a.assemble()).toThrow(/past the last instruction/);
  });

  it('an immediate that does not fit in 32 bits', () => {
    expect(() => new EbpfAssembler().mov(R0, 2 ** 32)).toThrow(/does not fit in 32 bits/);
    expect(() => new EbpfAssembler().mov(R0, -(2 ** 31) - 1)).toThrow(/does not fit in 32 bits/);
    expect(() => new EbpfAssembler().mov(R0, 1.5)).toThrow(/does not fit in 32 bits/);
  });

  it('a memory offset or jump distance past 16 bits', () => {
    expect(() => new EbpfAssembler().ldx(W, R0, R1, 0x8000)).toThrow(/does not fit in 16 bits/);
    const a = new EbpfAssembler();
    const far = a.label('far');
    a.goto(far);
    for (let i = 0; i < 0x8000; i++) a.mov(R0, 0);
    a.bind(far).exit();
    expect(() => a.assemble()).toThrow(/offset 32768 does not fit in 16 bits/);
  });
});
