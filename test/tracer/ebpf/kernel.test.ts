// The kernel is the judge: the recorder's programs pass this kernel's verifier, and code from our
// assembler runs as written (BPF_PROG_TEST_RUN executes a raw tracepoint program on demand).
// Skipped, with the reason, where this host cannot load BPF programs (not root, no BTF, …).
import { describe, expect, it } from 'vitest';
import { EbpfAssembler } from '../../../src/tracer/ebpf/asm.js';
import { MAP_TYPE, mapCreate, mapLookup, mapUpdate } from '../../../src/tracer/ebpf/bpf.js';
import { btfLoad, progLoadRawTracepoint, progTestRun } from '../../../src/tracer/ebpf/bpf-prog.js';
import { funcBtf } from '../../../src/tracer/ebpf/func-btf.js';
import { ADD, DW, HELPER, JEQ, LSH, MUL, R0, R1, R2, R3, R4, R10, W } from '../../../src/tracer/ebpf/insn.js';
import { kernelLayout } from '../../../src/tracer/ebpf/layout.js';
import { closeMaps, createMaps } from '../../../src/tracer/ebpf/maps.js';
import { allocNative } from '../../../src/tracer/ebpf/native.js';
import { execProgram } from '../../../src/tracer/ebpf/programs/exec.js';
import { loadPrograms } from '../../../src/tracer/ebpf/programs/load.js';
import { exitProgram, forkProgram } from '../../../src/tracer/ebpf/programs/sched.js';
import { signalProgram } from '../../../src/tracer/ebpf/programs/signal.js';
import { sysEnterProgram } from '../../../src/tracer/ebpf/programs/sys-enter.js';
import { close } from '../../../src/tracer/libc.js';
import { needs } from '../../support/host.js';

/** Loads `a`, runs it once, unloads it. */
function run(a: EbpfAssembler, funcs?: Parameters<typeof progLoadRawTracepoint>[0]['funcs']): number {
  const fd = progLoadRawTracepoint({ insns: a.assemble(), name: 'sp_test', ...(funcs ? { funcs } : {}) });
  try {
    return progTestRun(fd);
  } finally {
    close(fd);
  }
}

describe('in this kernel', needs('ebpf'), () => {
  it('the verifier accepts each of the recorder programs, and all five attach', () => {
    const layout = kernelLayout();
    const maps = createMaps();
    try {
      for (const insns of [
        sysEnterProgram(maps, layout),
        forkProgram(maps, layout),
        exitProgram(maps, layout),
        signalProgram(maps),
      ]) {
        close(progLoadRawTracepoint({ insns, name: 'sp_test' }));
      }
      expect(execProgram(maps, layout).step).toBeGreaterThan(0);
      const fds = loadPrograms(maps, layout);
      // btf, then (program, link) for each of the five tracepoints.
      expect(fds).toHaveLength(11);
      for (const fd of fds) close(fd);
    } finally {
      closeMaps(maps);
    }
  });

  it('without thread_info.status in the BTF (i386 not told apart), sys_enter still verifies', () => {
    const layout = { ...kernelLayout(), taskStatus: undefined };
    const maps = createMaps();
    try {
      close(progLoadRawTracepoint({ insns: sysEnterProgram(maps, layout), name: 'sp_test' }));
    } finally {
      closeMaps(maps);
    }
  });

  it('ALU: 7 * 6, then << 2', () => {
    const a = new EbpfAssembler().mov(R0, 7).alu64(MUL, R0, 6).alu64(LSH, R0, 2).exit();
    expect(run(a)).toBe(168);
  });

  it('jmp32 compares the low halves only, jmp all 64 bits', () => {
    const a = new EbpfAssembler();
    const low = a.label('low');
    const wrong = a.label('wrong');
    a.ldImm64(R1, 0x1_0000_0001n);
    a.jmp32(JEQ, R1, 1, low).goto(wrong);
    a.bind(low).jmp(JEQ, R1, 1, wrong).mov(R0, 1).exit();
    a.bind(wrong).mov(R0, 2).exit();
    expect(run(a)).toBe(1);
  });

  it('atomic fetch-add returns the old value and leaves the sum in the map', () => {
    const map = mapCreate({ type: MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'sp_test' });
    const key = allocNative(4);
    const value = allocNative(8);
    try {
      value.view.setBigUint64(0, 10n, true);
      mapUpdate(map, key.address, value.address);
      const a = new EbpfAssembler();
      const miss = a.label('miss');
      a.st(W, R10, -4, 0);
      a.ldMapFd(R1, map).mov(R2, R10).alu64(ADD, R2, -4).call(HELPER.mapLookupElem);
      a.jmp(JEQ, R0, 0, miss);
      a.mov(R1, 5).atomicAdd(DW, R0, 0, R1, true).mov(R0, R1).exit();
      a.bind(miss).mov(R0, 99).exit();
      expect(run(a)).toBe(10);
      mapLookup(map, key.address, value.address);
      expect(value.view.getBigUint64(0, true)).toBe(15n);
    } finally {
      key.free();
      value.free();
      close(map);
    }
  });

  it('bpf_loop calls a callback subprogram (sum of 0..6) with func_info from func-btf', () => {
    const a = new EbpfAssembler();
    const step = a.label('step');
    a.st(DW, R10, -8, 0);
    a.mov(R1, 7).ldFunc(R2, step).mov(R3, R10).alu64(ADD, R3, -8).mov(R4, 0).call(HELPER.loop);
    a.ldx(DW, R0, R10, -8).exit();
    // step(index, ctx): *ctx += index; return 0 (continue)
    a.bind(step).ldx(DW, R3, R2, 0).alu64(ADD, R3, R1).st(DW, R2, 0, R3).mov(R0, 0).exit();
    const { blob, typeIds } = funcBtf(['sp_test', 'sp_step']);
    const btf = btfLoad(blob);
    try {
      const sum = run(a, {
        btfFd: btf,
        info: [
          [0, typeIds[0]!],
          [a.positionOf(step), typeIds[1]!],
        ],
      });
      expect(sum).toBe(21);
    } finally {
      close(btf);
    }
  });

  it('the verifier refuses a bad program and we say why in one line', () => {
    // Reads r2 before anything wrote it.
    const a = new EbpfAssembler().mov(R0, R2).exit();
    expect(() => progLoadRawTracepoint({ insns: a.assemble(), name: 'sp_bad' })).toThrow(
      /the kernel refused BPF program sp_bad \(EACCES\): .*R2 !read_ok/,
    );
  });
});
