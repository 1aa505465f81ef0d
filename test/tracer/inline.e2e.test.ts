// The main-thread tracer (TraceOptions.thread 'main', what `check` and `enforce` use in the CLI):
// woken by SIGCHLD instead of blocking a worker in waitpid. Under the default trace-everything filter
// every syscall is a stop, so these runs push far more stops through it than check ever will; the
// recorded set must still equal strace -f's, exactly as the worker's does (strace.e2e.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilerError } from '../../src/errors.js';
import { type TraceOptions, trace } from '../../src/tracer/index.js';
import { needs } from '../support/host.js';
import { compileFixture, fixture, realPython, recordedNames, setDiff, straceSyscalls } from './support.js';

let dir: string;
let python: string;
const bins: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-inline-'));
  python = await realPython();
  for (const name of ['exec_thread', 'vfork']) bins[name] = await compileFixture(name, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Sequential on purpose: the main-thread tracer reaps any child of this thread, so nothing else
// (execa's strace run included) may have a child running while it traces.
function traceHere(argv: readonly string[], extra: Partial<TraceOptions> = {}) {
  return trace({ argv, cwd: dir, thread: 'main', pin: false, ...extra });
}

describe(
  'main-thread tracing records what strace -f sees',
  needs('gcc', 'strace', 'python3', 'ptrace', 'seccomp'),
  () => {
    it('runs on the main thread here (else it would fall back to a worker and prove nothing)', () => {
      expect(isMainThread).toBe(true);
    });

    it.each<[string, () => string[], number]>([
      ['ls', () => ['ls', '-la', '/usr'], 1],
      ['a sh -c pipeline', () => ['sh', '-c', 'ls / | wc -l; cat /etc/hostname | tr a-z A-Z'], 5],
      ['python3 with a thread and a subprocess', () => [python, fixture('thread_subprocess.py')], 2],
      ['execve from a non-leader thread (C)', () => [bins.exec_thread!], 1],
      ['vfork and posix_spawn (C)', () => [bins.vfork!], 3],
      ['a program handling SIGUSR1 and SIGCHLD', () => [python, fixture('signals.py')], 2],
      [
        '40 short-lived grandchildren',
        () => ['sh', '-c', 'for i in $(seq 40); do ( /bin/true & ); done; wait'],
        82,
      ],
    ])('%s', async (_name, argv, processes) => {
      const listeners = process.listenerCount('SIGCHLD');
      const r = await traceHere(argv());
      expect(r.outcome).toEqual({ status: 'exited', code: 0 });
      expect(r.recording.runs[0]?.processes).toBe(processes);
      // Nothing left behind: the SIGCHLD listener is gone and no tracee is left to reap.
      expect(process.listenerCount('SIGCHLD')).toBe(listeners);
      const truth = await straceSyscalls(argv(), { cwd: dir });
      expect(setDiff(recordedNames(r.recording, 'x86_64'), truth.x86_64)).toEqual({
        onlyRecorded: [],
        onlyStrace: [],
      });
    });
  },
);

describe('main-thread tracing: outcomes and errors', needs('python3', 'ptrace', 'seccomp'), () => {
  it('mirrors a signal death and an exit code', async () => {
    expect((await traceHere(['sh', '-c', 'exit 7'])).outcome).toEqual({ status: 'exited', code: 7 });
    expect((await traceHere(['sh', '-c', 'kill -TERM $$'])).outcome).toEqual({
      status: 'signaled',
      signal: 'SIGTERM',
      number: 15,
    });
  });

  it('an AbortSignal ends the workload with outcome interrupted, and the timers are released', async () => {
    const controller = new AbortController();
    const listeners = process.listenerCount('SIGCHLD');
    const running = traceHere(['sleep', '60'], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // This very thread is the tracer: it listens for SIGCHLD while the workload runs.
    expect(process.listenerCount('SIGCHLD')).toBe(listeners + 1);
    controller.abort();
    const started = performance.now();
    const r = await running;
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(r.outcome).toEqual({ status: 'interrupted' });
    expect(r.recording.partial).toBe(true);
  });

  it('a command that does not exist is a ProfilerError with exit 127, as with the worker', async () => {
    const error = await traceHere(['/nonexistent/command']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfilerError);
    expect((error as ProfilerError).exitCode).toBe(127);
  });

  it('many stops in a row are all handled (a million getppid calls would be slow, 20k are enough)', async () => {
    const r = await traceHere([python, '-c', 'import os\nfor _ in range(20000): os.getppid()']);
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls.x86_64?.getppid?.count).toBe(20000);
  });
});
