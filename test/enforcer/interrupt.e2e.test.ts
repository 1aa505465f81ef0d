// SIGINT/SIGTERM to `profile enforce` or `profile check` stop the workload and still print the
// report; the exit code says which signal it was, as a shell would (130, 143), unless drift was seen.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../support/host.js';
import { CLI, jsonReport, PYTHON, REPO, recordAndGenerate, scratch } from './support.js';

const sleeper = (body: string) => [
  PYTHON,
  '-c',
  `import os, time\n${body}\nprint('ready', flush=True)\ntime.sleep(60)`,
];
let docker: string;

beforeAll(async () => {
  const dir = scratch('interrupt');
  // The same program, sleeping 0.1 s instead of 60: every syscall of the long run is in the profile.
  const short = [PYTHON, '-c', "import os, time\nprint('ready', flush=True)\ntime.sleep(0.1)"];
  docker = (await recordAndGenerate(dir, short, ['docker'])).outputs.docker!;
});

/** Starts `profile …`, sends `sig` once the workload printed "ready", and returns what it left. */
async function interrupt(args: readonly string[], sig: NodeJS.Signals) {
  const started = performance.now();
  const child = execa('node', [CLI, ...args], { reject: false, cwd: REPO, stdin: 'ignore' });
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // The whole line: python here is unbuffered (PYTHONUNBUFFERED), so "\n" is a write of its own.
      if (seen.includes('ready\n')) resolve();
    });
  });
  child.kill(sig);
  const r = await child;
  return { ...r, stdout: String(r.stdout), stderr: String(r.stderr), ms: performance.now() - started };
}

describe('interrupting check and enforce', needs('python3', 'ptrace', 'seccomp'), () => {
  it('check: SIGTERM ends the workload at once and exits 143 with no verdict', async () => {
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
    const report = jsonReport<{ drift: { syscall: string }[] }>(r.stdout);
    expect(report.drift.map((v) => v.syscall)).toEqual(['getpgrp']);
  });

  it('enforce: SIGINT ends the workload and exits 130', async () => {
    const r = await interrupt(['enforce', '--profile', docker, '--', ...sleeper('')], 'SIGINT');
    expect(r.exitCode, r.stderr).toBe(130);
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
