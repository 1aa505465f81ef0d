// SIGINT/SIGTERM to `profile enforce` or `profile check` go to the workload first: its shutdown
// runs under the profile (and is checked), the report is still printed, and the exit code is what
// the workload's shutdown made of it (130, 143 as a shell would) unless drift or a kill was seen.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../support/host.js';
import { CLI, jsonReport, PYTHON, profile, REPO, recordAndGenerate, scratch } from './support.js';

const sleeper = (body: string) => [
  PYTHON,
  '-c',
  `import os, time\n${body}\nprint('ready', flush=True)\ntime.sleep(60)`,
];
/** Recorded from a run that ended on its own: no KeyboardInterrupt shutdown in it. */
let unshut: string;
/** Recorded from a run stopped with Ctrl-C's signal: python's shutdown path is in it. */
let docker: string;

/** Starts `profile …`, sends `sig` once the workload printed "ready", and returns what it left. */
async function interrupt(args: readonly string[], sig: NodeJS.Signals) {
  const started = performance.now();
  const child = execa('node', [CLI, ...args], { reject: false, cwd: REPO, stdin: 'ignore' });
  const ready = await new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // The whole line: python here is unbuffered (PYTHONUNBUFFERED), so "\n" is a write of its own.
      if (seen.includes('ready\n')) resolve(true);
    });
    void child.finally(() => resolve(false));
  });
  if (ready) child.kill(sig);
  const r = await child;
  return { ...r, stdout: String(r.stdout), stderr: String(r.stderr), ms: performance.now() - started };
}

beforeAll(async () => {
  const dir = scratch('interrupt');
  // The same program, sleeping 0.1 s instead of 60: every syscall of the long run is in the profile,
  // except those of python's exit on KeyboardInterrupt (it re-raises SIGINT: getpid, kill).
  const short = [PYTHON, '-c', "import os, time\nprint('ready', flush=True)\ntime.sleep(0.1)"];
  unshut = (await recordAndGenerate(dir, short, ['docker'])).outputs.docker!;
  const recording = `${dir}/interrupted.json`;
  const rec = await interrupt(['record', '-q', '-o', recording, '--', ...sleeper('')], 'SIGINT');
  expect(rec.exitCode, rec.stderr).toBe(130);
  docker = `${dir}/interrupted.docker.json`;
  const gen = await profile(['generate', recording, '--format', 'docker', '-o', docker]);
  expect(gen.exitCode, gen.stderr).toBe(0);
});

describe('interrupting check and enforce', needs('python3', 'ptrace', 'seccomp'), () => {
  it('check: SIGTERM goes to the workload, which dies of it: exit 143 with no verdict', async () => {
    const r = await interrupt(['check', '--profile', docker, '--', ...sleeper('')], 'SIGTERM');
    expect(r.exitCode, r.stderr).toBe(143);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.stderr).toMatch(/^profile check: interrupted: no syscall outside .* \(not a verdict\)$/m);
  });

  it('check: drift seen before SIGINT is still reported, and fails the check (exit 1)', async () => {
    const r = await interrupt(
      ['check', '--json', '--profile', docker, '--', ...sleeper('os.getpgrp()')],
      'SIGINT',
    );
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain('(before the workload was interrupted)');
    const report = jsonReport<{ drift: { syscall: string }[]; interruptedBy: string }>(r.stdout);
    expect(report.drift.map((v) => v.syscall)).toEqual(['getpgrp']);
    expect(report.interruptedBy).toBe('SIGINT');
  });

  it('enforce: SIGINT runs the workload’s own shutdown under the profile, then exits 130', async () => {
    const r = await interrupt(['enforce', '--profile', docker, '--', ...sleeper('')], 'SIGINT');
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('KeyboardInterrupt');
    expect(r.stderr).toContain('profile: SIGINT was passed on to the workload, which then ended by itself');
  });

  it('enforce: a profile recorded without the shutdown path kills the workload when it stops', async () => {
    // What the issue saw: the service's shutdown was never recorded, so the profile kills it there.
    const r = await interrupt(['enforce', '--json', '--profile', unshut, '--', ...sleeper('')], 'SIGINT');
    expect(r.exitCode, r.stderr).toBe(159);
    const report = jsonReport<{ killed: { name: string; executable: string }[] }>(r.stdout);
    expect(report.killed.map((k) => k.name)).toEqual([expect.stringMatching(/^(getpid|kill)$/)]);
  });

  it('a workload that ignores SIGTERM is killed once --grace runs out (exit 143), under record and enforce', async () => {
    const dir = scratch('grace');
    const stubborn = sleeper('import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)');
    const recording = `${dir}/stubborn.json`;
    const rec = await interrupt(
      ['record', '-q', '--grace', '0.5', '-o', recording, '--', ...stubborn],
      'SIGTERM',
    );
    expect(rec.exitCode, rec.stderr).toBe(143);
    expect(rec.ms).toBeLessThan(30_000);
    const profilePath = `${dir}/stubborn.docker.json`;
    expect((await profile(['generate', recording, '--format', 'docker', '-o', profilePath])).exitCode).toBe(
      0,
    );
    const r = await interrupt(
      ['enforce', '--grace', '0.5', '--json', '--profile', profilePath, '--', ...stubborn],
      'SIGTERM',
    );
    expect(r.exitCode, r.stderr).toBe(143);
    expect(r.ms).toBeLessThan(30_000);
    expect(jsonReport<{ outcome: unknown }>(r.stdout).outcome).toEqual({ status: 'interrupted' });
    expect(r.stderr).toContain('profile: SIGTERM: the workload did not finish in time and was killed');
  });
});

describe(
  'Ctrl-Z on a terminal during check (the main-thread tracer)',
  needs('python3', 'ptrace', 'seccomp'),
  () => {
    it('stops check and the workload together; fg resumes both and the check is clean', async () => {
      const work = scratch('ctrlz');
      const loop = 'for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.2; done';
      const { outputs } = await recordAndGenerate(work, ['sh', '-c', loop], ['docker']);
      const driver = fileURLToPath(new URL('../fixtures/tracer/ctrlz.py', import.meta.url));
      const r = await execa('python3', [
        driver,
        process.execPath,
        CLI,
        `check --profile ${outputs.docker} --`,
      ]);
      const result = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(result).toMatchObject({ started: true, stopped: true, psDone: true, finished: true, rc: '0' });
      // The traced shell (and its sleep) were in a stop state, not running behind the job's back.
      expect(Number(result.stoppedTracees)).toBeGreaterThanOrEqual(1);
      expect(result.ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `tick ${i}`));
    });
  },
);
