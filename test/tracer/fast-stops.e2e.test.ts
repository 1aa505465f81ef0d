// The loop's native hot path (src/tracer/fast-stops.c) records exactly what the JavaScript path
// records: every call counted, for the right executable, with the argument values and the affinity
// handling that only the JavaScript path does. Each workload runs with the native path (which must
// then have counted most stops itself) and with SECCOMP_PROFILER_FAST_STOPS=off.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TraceResult, trace } from '../../src/index.js';
import type { Recording } from '../../src/recording/schema.js';
import { needs } from '../support/host.js';
import { realPython, withEnv } from './support.js';

const LIBRARY = fileURLToPath(new URL('../../dist/src/tracer/fast-stops.so', import.meta.url));

let dir: string;
let python: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fast-stops-'));
  python = await realPython();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `after` read after each run (native first). */
const answers: number[] = [];

/**
 * Calls whose counts follow the workload's memory layout, which moves from run to run (ASLR,
 * allocator state): compared by name only. The rest must be counted exactly alike.
 */
const LAYOUT_DEPENDENT = new Set(['mmap', 'munmap', 'mprotect', 'brk', 'mremap', 'madvise']);

/**
 * A recording's per-call counts (and per-executable ones), the layout-dependent counts set to 1
 * and `racy` calls (whether and how often they happen depends on the workload's thread timing) left out.
 */
function exactPart(r: TraceResult, racy: readonly string[] = []) {
  const loose = (n: string) => LAYOUT_DEPENDENT.has(n) || racy.includes(n);
  const flat = (calls: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(calls)
        .filter(([n]) => !racy.includes(n))
        .map(([n, c]) => [n, loose(n) ? 1 : c]),
    );
  return {
    calls: flat(
      Object.fromEntries(Object.entries(r.recording.syscalls.x86_64 ?? {}).map(([n, s]) => [n, s.count])),
    ),
    executables: Object.fromEntries(
      Object.entries(r.recording.executables).map(([exe, abis]) => [exe, flat(abis.x86_64 ?? {})]),
    ),
    args: Object.fromEntries(Object.entries(r.recording.args?.x86_64 ?? {}).filter(([n]) => !loose(n))),
    execs: r.recording.execs,
  };
}

async function traceBoth(
  argv: readonly string[],
  after?: () => number,
): Promise<{ native: TraceResult; js: TraceResult }> {
  // A fixed hash seed: python's allocations, and so its calls, do not depend on a random one.
  const env = { ...process.env, PYTHONHASHSEED: '0' };
  const run = (fastStops: 'off' | undefined) =>
    withEnv('SECCOMP_PROFILER_FAST_STOPS', fastStops, async () => {
      const result = await trace({ argv, cwd: dir, env });
      if (after) answers.push(after());
      return result;
    });
  const native = await run(undefined);
  const js = await run('off');
  return { native, js };
}

/** Count of `name` (x86-64) made by the executable `exe` (a real path). */
function countOf(rec: Recording, exe: string, name: string): number {
  return rec.executables[exe]?.x86_64?.[name] ?? 0;
}

describe('the native hot path', needs('gcc', 'ptrace'), () => {
  it('is built next to the tracer', () => {
    expect(existsSync(LIBRARY), `${LIBRARY} (npm run build compiles src/tracer/fast-stops.c)`).toBe(true);
  });

  it('counts every call, keeps argument values and the affinity answer, as the JavaScript path does', async () => {
    const script = [
      'import os, socket',
      'for _ in range(50000): os.getppid()',
      // Pinned while single-threaded: the tracer must still answer with the original CPU set.
      `open('${dir}/cpus', 'w').write(str(len(os.sched_getaffinity(0))))`,
      'for _ in range(300): os.sched_getaffinity(0)',
      'for _ in range(20): socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()',
      'for _ in range(20): socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()',
    ].join('\n');
    const cpus = () => Number(readFileSync(join(dir, 'cpus'), 'utf8'));
    const { native, js } = await traceBoth([python, '-c', script], cpus);
    for (const r of [native, js]) {
      expect(r.outcome).toEqual({ status: 'exited', code: 0 });
      expect(answers.shift()).toBe(availableParallelism());
      expect(r.recording.syscalls.x86_64?.getppid?.count).toBe(50000);
      expect(r.recording.syscalls.x86_64?.sched_getaffinity?.count).toBeGreaterThanOrEqual(301);
    }
    // Most stops never reached JavaScript; none did without the library.
    expect(native.nativeStops).toBeGreaterThan(45000);
    expect(js.nativeStops).toBeUndefined();
    expect(exactPart(native)).toEqual(exactPart(js));
    expect(native.recording.args?.x86_64?.socket).toBeDefined();
  });

  it('gives each process its own executable across forks, execs and threads', async () => {
    const threads =
      'import os, threading\ndef w():\n  for _ in range(5000): os.getppid()\nts=[threading.Thread(target=w) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]';
    const loop = 'import os\nfor _ in range(7000): os.getppid()';
    const sh = `for i in 1 2 3; do /bin/true; '${python}' -c "$1"; done; '${python}' -c "$2"`;
    const { native, js } = await traceBoth(['sh', '-c', sh, 'sh', loop, threads]);
    for (const r of [native, js]) {
      expect(r.outcome).toEqual({ status: 'exited', code: 0 });
      const rec = r.recording;
      // Whatever sh itself called (dash may ask for its parent once), python made the rest.
      const pythonCalls = countOf(rec, realpathSync(python), 'getppid');
      expect(pythonCalls).toBe(3 * 7000 + 4 * 5000);
      const shCalls = countOf(rec, realpathSync('/bin/sh'), 'getppid');
      expect(shCalls).toBeLessThanOrEqual(1);
      expect(rec.syscalls.x86_64?.getppid?.count).toBe(pythonCalls + shCalls);
      expect(countOf(rec, realpathSync('/bin/true'), 'getppid')).toBe(0);
      expect(rec.execs).toContainEqual({ path: realpathSync(python), count: 4 });
      expect(rec.execs).toContainEqual({ path: realpathSync('/bin/true'), count: 3 });
    }
    expect(native.nativeStops).toBeGreaterThan(30000);
    // Four threads wait on each other with futex as they happen to meet.
    expect(exactPart(native, ['futex'])).toEqual(exactPart(js, ['futex']));
  });
});
