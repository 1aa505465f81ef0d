// The recorder programs' logic, driven one call at a time with BPF_PROG_TEST_RUN: the kernel runs
// the real program in this test's own thread, so following our own thread group makes it count
// what we feed it. Covers what a workload rarely reaches: a full counts map, an unreadable exec,
// the launcher phase, x32 numbers.
import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syscallNumber, X32_SYSCALL_BIT } from '../../../src/arch/index.js';
import { writeArgSpecs } from '../../../src/tracer/ebpf/arg-table.js';
import { mapLookup, mapUpdate } from '../../../src/tracer/ebpf/bpf.js';
import { btfLoad, progLoadRawTracepoint, progTestRun } from '../../../src/tracer/ebpf/bpf-prog.js';
import { collect, readStats, UNATTRIBUTED, UNKNOWN_EXECUTABLE } from '../../../src/tracer/ebpf/collect.js';
import { dumpMap } from '../../../src/tracer/ebpf/dump.js';
import { funcBtf } from '../../../src/tracer/ebpf/func-btf.js';
import { kernelLayout } from '../../../src/tracer/ebpf/layout.js';
import {
  COUNT_KEY,
  closeMaps,
  createMaps,
  LAUNCHER_IMAGE,
  type Maps,
  PROC_VALUE,
  SIGNAL_AT,
  SIGNAL_ROOT,
  SIGNALS_VALUE,
  STAT,
  STATS_VALUE,
  USER_IMAGE_BASE,
} from '../../../src/tracer/ebpf/maps.js';
import { allocNative } from '../../../src/tracer/ebpf/native.js';
import { execProgram } from '../../../src/tracer/ebpf/programs/exec.js';
import { signalProgram } from '../../../src/tracer/ebpf/programs/signal.js';
import { sysEnterProgram } from '../../../src/tracer/ebpf/programs/sys-enter.js';
import { close } from '../../../src/tracer/libc.js';
import { needs } from '../../support/host.js';

const ME = '/test/self';
const nr = (name: string) => syscallNumber('x86_64', name)!;

let maps: Maps;
let sysEnter: number;

function follow(image: number): void {
  const key = allocNative(4);
  const value = allocNative(PROC_VALUE);
  try {
    key.view.setUint32(0, process.pid, true);
    value.view.setUint32(0, image, true);
    mapUpdate(maps.procs, key.address, value.address);
  } finally {
    key.free();
    value.free();
  }
}

/** One syscall `n` "made" by this thread; the pt_regs pointer is 0, so argument reads fail (→ 0). */
const enter = (n: number) => progTestRun(sysEnter, [0n, BigInt(n >>> 0)]);

function setUp(limits: { counts?: number; fastImages?: number } = {}): void {
  const layout = kernelLayout();
  maps = createMaps(limits);
  writeArgSpecs(maps, layout);
  sysEnter = progLoadRawTracepoint({ insns: sysEnterProgram(maps, layout), name: 'sp_test' });
}

afterEach(() => {
  close(sysEnter);
  closeMaps(maps);
});

/** Image 1: the first id the exec program hands out, the fast counts' kind of image. */
const FIRST = '/test/first';
const collected = () =>
  collect(maps, {
    launcherTarget: '/test/workload',
    userImages: new Map([
      [USER_IMAGE_BASE, ME],
      [1, FIRST],
    ]),
    extraProcesses: 0,
  });

/** Image ids 1..n handed out, as the exec program does (collect reads fastCounts rows up to n). */
function handOut(n: number): void {
  const key = allocNative(4);
  const value = allocNative(STATS_VALUE);
  try {
    mapLookup(maps.stats, key.address, value.address);
    value.view.setBigUint64(STAT.nextImage, BigInt(n), true);
    mapUpdate(maps.stats, key.address, value.address);
  } finally {
    key.free();
    value.free();
  }
}

/** The (image, nr) keys the counts hash map holds. */
function hashed(): [number, number][] {
  const keys: [number, number][] = [];
  dumpMap(maps.counts, COUNT_KEY, 8, (k, ko) => {
    keys.push([k.getUint32(ko, true), k.getInt32(ko + 4, true)]);
  });
  return keys;
}

/** The same calls by image 1 (a user image: the hash map; else fastCounts when it has room). */
function firstImageCalls(): void {
  for (let i = 0; i < 3; i++) enter(nr('getpid'));
  enter(nr('getppid'));
  enter(X32_SYSCALL_BIT | 39);
  enter(-1);
}
const firstImageCounts = [
  [FIRST, 'x86_64', nr('getpid'), 3],
  [FIRST, 'x86_64', nr('getppid'), 1],
  [FIRST, 'x32', X32_SYSCALL_BIT | 39, 1],
  [FIRST, 'x86_64', -1, 1],
].sort();

describe('sys_enter, one call at a time', needs('ebpf'), () => {
  beforeEach(() => setUp());

  it('counts nothing for a thread group it does not follow', () => {
    enter(nr('getpid'));
    expect(collected().raw.counts).toEqual([]);
  });

  it('counts per (executable, ABI, nr), x32 numbers apart, and the distinct (ABI, nr) seen', () => {
    follow(USER_IMAGE_BASE);
    for (let i = 0; i < 3; i++) enter(nr('getpid'));
    enter(nr('getppid'));
    enter(X32_SYSCALL_BIT | 39);
    enter(-1);
    const { raw, notes } = collected();
    expect([...raw.counts].sort()).toEqual(
      [
        [ME, 'x86_64', nr('getpid'), 3],
        [ME, 'x86_64', nr('getppid'), 1],
        [ME, 'x32', X32_SYSCALL_BIT | 39, 1],
        [ME, 'x86_64', -1, 1],
      ].sort(),
    );
    expect(notes).toEqual([]);
    // -1 has no slot: it is counted, but not in the live distinct count.
    expect(readStats(maps).distinct).toBe(3);
  });

  it('keeps argument tuples of the ARG_SPECS syscalls (here all 0: the registers cannot be read)', () => {
    follow(USER_IMAGE_BASE);
    enter(nr('socket'));
    enter(nr('socket'));
    enter(nr('clone3'));
    expect([...collected().raw.args].sort()).toEqual([
      ['x86_64', 'clone3', {}, 1],
      ['x86_64', 'socket', { domain: 0, type: 0 }, 2],
    ]);
  });

  it.runIf(isMainThread)('in the launcher phase counts only its execve, for the workload', () => {
    follow(LAUNCHER_IMAGE);
    enter(nr('read'));
    enter(nr('execve'));
    const { raw } = collected();
    expect(raw.counts).toEqual([['/test/workload', 'x86_64', nr('execve'), 1]]);
  });
});

describe('the fast counts (an array per image, for the first executables)', needs('ebpf'), () => {
  it('count an image below FAST_IMAGES there, and what has no slot in the hash map', () => {
    setUp();
    follow(1);
    handOut(1);
    firstImageCalls();
    expect([...collected().raw.counts].sort()).toEqual(firstImageCounts);
    expect(hashed()).toEqual([[1, -1]]);
    expect(readStats(maps).distinct).toBe(3);
  });

  it('leave an image the array has no room for to the hash map, with the same result', () => {
    setUp({ fastImages: 1 });
    follow(1);
    handOut(1);
    firstImageCalls();
    expect([...collected().raw.counts].sort()).toEqual(firstImageCounts);
    expect(hashed()).toHaveLength(4);
    expect(readStats(maps).distinct).toBe(3);
  });
});

describe('the per-CPU copies of procs entries', needs('ebpf'), () => {
  beforeEach(() => setUp());

  it('are not used once procGen moved on: a changed entry counts from its next call', () => {
    follow(1);
    handOut(1);
    enter(nr('getpid'));
    enter(nr('getpid'));
    // What an exec, an exit or the recorder does: change procs, then bump procGen.
    follow(USER_IMAGE_BASE);
    const key = allocNative(4);
    const value = allocNative(8);
    try {
      mapLookup(maps.procGen, key.address, value.address);
      value.view.setBigUint64(0, value.view.getBigUint64(0, true) + 1n, true);
      mapUpdate(maps.procGen, key.address, value.address);
    } finally {
      key.free();
      value.free();
    }
    enter(nr('getppid'));
    expect([...collected().raw.counts].sort()).toEqual(
      [
        [FIRST, 'x86_64', nr('getpid'), 2],
        [ME, 'x86_64', nr('getppid'), 1],
      ].sort(),
    );
  });
});

describe('a full counts map', needs('ebpf'), () => {
  beforeEach(() => setUp({ counts: 2 }));

  it('still counts the call per ABI and number, as (unattributed), and says so', () => {
    follow(USER_IMAGE_BASE);
    enter(nr('read'));
    enter(nr('write'));
    enter(nr('close'));
    enter(nr('close'));
    const { raw, notes } = collected();
    expect([...raw.counts].sort()).toEqual(
      [
        [ME, 'x86_64', nr('read'), 1],
        [ME, 'x86_64', nr('write'), 1],
        [UNATTRIBUTED, 'x86_64', nr('close'), 2],
      ].sort(),
    );
    expect(notes).toEqual([
      '2 calls are counted without their executable (listed under (unattributed)): more than 32768 distinct (executable, ABI, syscall) triples',
    ]);
  });
});

describe('sched_process_exec', needs('ebpf'), () => {
  beforeEach(() => setUp());

  it('an exec whose file cannot be read is counted under (unknown executable), with a note', () => {
    const layout = kernelLayout();
    const exec = execProgram(maps, layout);
    const { blob, typeIds } = funcBtf(['sp_exec', 'sp_path_step']);
    const btf = btfLoad(blob);
    const fd = progLoadRawTracepoint({
      insns: exec.insns,
      name: 'sp_test',
      funcs: {
        btfFd: btf,
        info: [
          [0, typeIds[0]!],
          [exec.step, typeIds[1]!],
        ],
      },
    });
    try {
      follow(LAUNCHER_IMAGE);
      // args: task, old_pid, bprm (an address nothing can be read from)
      progTestRun(fd, [0n, 0n, 8n]);
      enter(nr('getpid'));
      const { raw, notes } = collected();
      expect(raw.execs).toEqual([[UNKNOWN_EXECUTABLE, 1]]);
      expect(raw.counts).toEqual([[UNKNOWN_EXECUTABLE, 'x86_64', nr('getpid'), 1]]);
      expect(raw.processes).toBe(1);
      expect(notes[0]).toMatch(/^1 execs ran executables past the first 4095 distinct ones/);
    } finally {
      close(fd);
      close(btf);
    }
  });
});

describe('signal_deliver', needs('ebpf'), () => {
  beforeEach(() => setUp());

  /** Watches `root`, delivers each of `signals` to this thread; returns the four SIGNAL_AT slots. */
  function deliver(root: number, signals: readonly number[]): bigint[] {
    const fd = progLoadRawTracepoint({ insns: signalProgram(maps), name: 'sp_test' });
    const key = allocNative(4);
    const value = allocNative(SIGNALS_VALUE);
    try {
      key.view.setUint32(0, 0, true);
      value.bytes.fill(0);
      value.view.setUint32(SIGNAL_ROOT, root, true);
      mapUpdate(maps.signals, key.address, value.address);
      // args: sig, info, ka
      for (const sig of signals) progTestRun(fd, [BigInt(sig), 0n, 0n]);
      value.bytes.fill(0);
      expect(mapLookup(maps.signals, key.address, value.address)).toBe(true);
      return [0, 1, 2, 3].map((i) => value.view.getBigUint64(SIGNAL_AT + 8 * i, true));
    } finally {
      key.free();
      value.free();
      close(fd);
    }
  }

  it('notes when the watched process is delivered SIGHUP, SIGINT, SIGQUIT or SIGTERM, each in its slot', () => {
    const before = process.hrtime.bigint();
    const [hup, int, quit, term] = deliver(process.pid, [2, 15, 10 /* SIGUSR1: not a stop signal */]);
    const after = process.hrtime.bigint();
    expect(hup).toBe(0n);
    expect(quit).toBe(0n);
    // The kernel's clock is process.hrtime's (CLOCK_MONOTONIC): the supervisor compares the two.
    for (const at of [int!, term!]) {
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    }
  });

  it('notes nothing for a process it does not watch', () => {
    expect(deliver(process.pid + 1, [1, 2, 3, 15])).toEqual([0n, 0n, 0n, 0n]);
  });
});
