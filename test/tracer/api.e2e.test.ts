// Everything the CLI does about processes, signals and fds is a library call with typed options:
// the same behaviour through src/index.ts, with an Interrupts source that is not this process's.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Interrupts, type StopSignal, trace as traceWithPtrace } from '../../src/index.js';
import { traceEbpf } from '../../src/tracer/ebpf/index.js';
import { needs } from '../support/host.js';
import { backendCaps, RECORD_BACKENDS } from './support.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-api-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An Interrupts source the test fires by hand. */
function manualInterrupts(): Interrupts & { fire(signal: StopSignal): void } {
  const received: StopSignal[] = [];
  const listeners = new Set<(signal: StopSignal) => void>();
  return {
    received,
    passOnly: [],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
    },
    fire(signal) {
      received.push(signal);
      for (const l of listeners) l(signal);
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}

for (const backend of RECORD_BACKENDS) {
  const trace = backend === 'ebpf' ? traceEbpf : traceWithPtrace;
  describe(
    `the library API (${backend === 'ebpf' ? 'seccomp-profiler/ebpf traceEbpf' : 'trace'})`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp'])),
    () => {
      it('interrupts: the first stop signal reaches the workload, whose shutdown is traced', async () => {
        const ready = join(dir, `ready-${backend}`);
        const done = join(dir, `done-${backend}`);
        const interrupts = manualInterrupts();
        const running = trace({
          argv: [
            'sh',
            '-c',
            `trap 'echo bye > ${done}; exit 0' TERM; touch ${ready}; while :; do sleep 0.1; done`,
          ],
          interrupts,
        });
        await until(() => existsSync(ready));
        interrupts.fire('SIGTERM');
        const r = await running;
        expect(r.outcome).toEqual({ status: 'exited', code: 0 });
        expect(r.interruptedBy).toBe('SIGTERM');
        expect(readFileSync(done, 'utf8')).toBe('bye\n');
        expect(r.recording.partial).toBe(true);
        expect(r.recording.runs[0]?.interruptedBy).toBe('SIGTERM');
      });

      it('interrupts: a second one kills everything (outcome interrupted, leftovers ended)', async () => {
        const ready = join(dir, `ready2-${backend}`);
        const interrupts = manualInterrupts();
        const running = trace({ argv: ['sh', '-c', `trap '' INT; touch ${ready}; sleep 60`], interrupts });
        await until(() => existsSync(ready));
        interrupts.fire('SIGINT');
        await new Promise((r) => setTimeout(r, 200));
        interrupts.fire('SIGINT');
        const r = await running;
        expect(r.outcome).toEqual({ status: 'interrupted' });
        expect(r.interruptedBy).toBe('SIGINT');
        expect(r.ended.map((p) => p.executable)).toEqual(['/usr/bin/sleep']);
      });

      it('grace: 0 ends what the main process left at once', async () => {
        const started = performance.now();
        const r = await trace({ argv: ['sh', '-c', 'sleep 60 & exit 3'], grace: 0 });
        expect(performance.now() - started).toBeLessThan(20_000);
        expect(r.outcome).toEqual({ status: 'exited', code: 3 });
        expect(r.ended).toHaveLength(1);
      });

      it('grace must be a number of seconds ≥ 0', async () => {
        await expect(trace({ argv: ['true'], grace: -1 })).rejects.toMatchObject({ code: 'USAGE' });
      });
    },
  );
}
