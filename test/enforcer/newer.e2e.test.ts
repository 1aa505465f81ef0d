// Issue 9's bar, end to end with the built CLI and a C probe (test/fixtures/enforcer/newer.c):
// - syscalls of Linux 6.5–6.10 are recorded by name, kept by every format, and the probe runs under
//   its own docker profile (`enforce`) and its raw filter (`bwrap --seccomp`);
// - a recording marked as made on Linux 6.1 gives a profile under which a program that tries
//   fchmodat2 first and falls back to fchmodat on ENOSYS, as glibc 2.39 does, runs;
// - a number without a name stays in the recording, the formats of numbers keep it, the formats of
//   names refuse it, and `check --update` widens for real or fails.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { FORMATS } from '../../src/generator/emit/index.js';
import { refusedCalls } from '../../src/generator/policy/coverage.js';
import type { Recording } from '../../src/recording/schema.js';
import { readBack } from '../generator/emit/read-back.js';
import { needs } from '../support/host.js';
import { profile, scratch } from './support.js';

const SOURCE = fileURLToPath(new URL('../fixtures/enforcer/newer.c', import.meta.url));

/** The probe compiled into `dir`, and a file for it to chmod. */
async function prepare(dir: string): Promise<{ probe: string; file: string }> {
  const probe = join(dir, 'newer');
  await execa('gcc', ['-O1', '-o', probe, SOURCE]);
  const file = join(dir, 'target');
  writeFileSync(file, 'x');
  return { probe, file };
}

async function record(dir: string, argv: readonly string[], name = 'recording.json'): Promise<string> {
  const out = join(dir, name);
  const r = await profile(['record', '--quiet', '-o', out, '--', ...argv]);
  if (r.exitCode !== 0) throw new Error(`record failed (${r.exitCode}): ${r.stderr}`);
  return out;
}

async function generate(input: string, format: string, out: string, flags: readonly string[] = []) {
  const r = await profile([
    'generate',
    input,
    '--format',
    format,
    '-o',
    out,
    '--libseccomp',
    'none',
    ...flags,
  ]);
  if (r.exitCode !== 0) throw new Error(`generate ${format} failed (${r.exitCode}): ${r.stderr}`);
  return out;
}

/** `bwrap --seccomp` with `filter` as fd 3, the host's root read-only and `dir` writable. */
function bwrap(filter: string, dir: string, argv: readonly string[]) {
  const fd = openSync(filter, 'r');
  try {
    const base = [
      '--ro-bind',
      '/',
      '/',
      '--bind',
      dir,
      dir,
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--die-with-parent',
    ];
    const r = spawnSync('bwrap', [...base, '--seccomp', '3', ...argv], {
      stdio: ['ignore', 'pipe', 'pipe', fd],
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { stdout: r.stdout.trim(), stderr: r.stderr, exitCode: r.status };
  } finally {
    closeSync(fd);
  }
}

const NEWER = { cachestat: 451, fchmodat2: 452, futex_wake: 454, lsm_get_self_attr: 459, mseal: 462 };

describe('a probe of the syscalls of Linux 6.5–6.10', needs('gcc', 'ptrace', 'seccomp', 'linux-6.10'), () => {
  const dir = scratch('newer');
  // Built on first use: a describe skipped for the host never compiles or records.
  let prepared: ReturnType<typeof setUp> | undefined;
  const ready = () => (prepared ??= setUp());
  async function setUp() {
    const { probe, file } = await prepare(dir);
    const argv = [probe, 'all', file];
    return { argv, recording: await record(dir, argv) };
  }

  it('is recorded by name, and every format keeps the calls', needs('libseccomp'), async () => {
    const { argv, recording } = await ready();
    expect((await execa(argv[0]!, argv.slice(1))).stdout).toBe('ok');
    const rec = JSON.parse(readFileSync(recording, 'utf8')) as Recording;
    for (const [name, nr] of Object.entries(NEWER))
      expect(rec.syscalls.x86_64?.[name], name).toMatchObject({ nr });
    expect(Object.keys(rec.syscalls.x86_64 ?? {}).filter((n) => n.startsWith('syscall_'))).toEqual([]);
    for (const format of FORMATS) {
      const out = await generate(recording, format, join(dir, `out.${format}`));
      const content = format === 'bpf' ? new Uint8Array(readFileSync(out)) : readFileSync(out, 'utf8');
      const decide = await readBack(format, content);
      expect(refusedCalls([rec], decide), format).toEqual([]);
    }
  });

  it('runs unchanged under its own docker profile (enforce)', async () => {
    const { argv, recording } = await ready();
    const docker = await generate(recording, 'docker', join(dir, 'probe.docker.json'));
    const r = await profile(['enforce', '--profile', docker, '--', ...argv]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('ok');
  });

  it('runs unchanged under its raw filter (bwrap --seccomp)', needs('bwrap'), async () => {
    const { argv, recording } = await ready();
    const bpf = await generate(recording, 'bpf', join(dir, 'probe.bpf'));
    const r = bwrap(bpf, dir, argv);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
    expect(r.exitCode).toBe(0);
  });
});

describe(
  'a recording made on Linux 6.1 and a glibc that tries fchmodat2 first',
  needs('gcc', 'ptrace', 'seccomp'),
  () => {
    const dir = scratch('fallback');
    // Built on first use: a describe skipped for the host never compiles or records.
    let prepared: ReturnType<typeof setUp> | undefined;
    const ready = () => (prepared ??= setUp());
    async function setUp() {
      const { probe, file } = await prepare(dir);
      const recorded = await record(dir, [probe, 'old', file], 'on-6.18.json');
      const rec = JSON.parse(readFileSync(recorded, 'utf8')) as Recording;
      const on61 = join(dir, 'on-6.1.json');
      writeFileSync(
        on61,
        JSON.stringify({ ...rec, runs: rec.runs.map((r) => ({ ...r, kernel: '6.1.0-37-amd64' })) }),
      );
      return { probe, file, recorded, on61 };
    }

    it('falls back to fchmodat under the docker profile; killed without ENOSYS, or when recorded on 6.18', async () => {
      const { probe, file, recorded, on61 } = await ready();
      const fallback = [probe, 'fallback', file];
      const docker = await generate(on61, 'docker', join(dir, 'on-6.1.docker.json'));
      const r = await profile(['enforce', '--profile', docker, '--', ...fallback]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('fallback');
      const off = await generate(on61, 'docker', join(dir, 'off.docker.json'), ['--no-enosys-newer']);
      const killed = await profile(['enforce', '--profile', off, '--', ...fallback]);
      expect(killed.exitCode).toBe(EXIT.violation);
      expect(killed.stderr).toContain('fchmodat2');
      // Recorded on this kernel, which has fchmodat2: the workload could have used it and did not.
      const here = await generate(recorded, 'docker', join(dir, 'here.docker.json'));
      expect((await profile(['enforce', '--profile', here, '--', ...fallback])).exitCode).toBe(
        EXIT.violation,
      );
    });

    it('falls back under the raw filter too (bwrap --seccomp)', needs('bwrap'), async () => {
      const { probe, file, on61 } = await ready();
      const bpf = await generate(on61, 'bpf', join(dir, 'on-6.1.bpf'));
      const r = bwrap(bpf, dir, [probe, 'fallback', file]);
      expect(r.stdout).toBe('fallback');
      expect(r.exitCode).toBe(0);
      // A number above the table gets ENOSYS from the filter as well, not a kill.
      expect(bwrap(bpf, dir, [probe, 'unnamed']).exitCode).toBe(0);
    });
  },
);

describe('a syscall number without a name', needs('gcc', 'ptrace', 'seccomp'), () => {
  const dir = scratch('unnamed');
  // Built on first use: a describe skipped for the host never compiles or records.
  let prepared: ReturnType<typeof setUp> | undefined;
  const ready = () => (prepared ??= setUp());
  async function setUp() {
    const { probe, file } = await prepare(dir);
    const recording = await record(dir, [probe, 'unnamed']);
    return { probe, file, recording };
  }

  it('stays in the recording by number; bpf keeps it, docker refuses with exit 65', async () => {
    const { probe, recording } = await ready();
    const rec = JSON.parse(readFileSync(recording, 'utf8')) as Recording;
    expect(rec.syscalls.x86_64?.syscall_500).toMatchObject({ nr: 500 });
    const docker = await profile(['generate', recording, '--format', 'docker']);
    expect(docker.exitCode).toBe(EXIT.badInput);
    expect(docker.stderr).toContain('x86_64 500 (allow)');
    const bpf = await generate(recording, 'bpf', join(dir, 'unnamed.bpf'), ['--no-enosys-newer']);
    const r = await profile(['enforce', '--profile', bpf, '--', probe, 'unnamed']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('check --update widens a raw filter for real (the next check is clean), and fails on a docker profile', async () => {
    const { probe, file } = await ready();
    const old = await record(dir, [probe, 'old', file], 'old.json');
    const bpf = await generate(old, 'bpf', join(dir, 'old.bpf'), ['--no-enosys-newer']);
    const drift = await profile(['check', '--update', '--profile', bpf, '--', probe, 'unnamed']);
    expect(drift.exitCode).toBe(EXIT.failure);
    expect(drift.stderr).toContain('syscall_500');
    const again = await profile(['check', '--profile', bpf, '--', probe, 'unnamed']);
    expect(again.exitCode, again.stderr).toBe(0);

    const docker = await generate(old, 'docker', join(dir, 'old.docker.json'), ['--no-enosys-newer']);
    const before = readFileSync(docker, 'utf8');
    const refused = await profile(['check', '--update', '--profile', docker, '--', probe, 'unnamed']);
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.stderr).toMatch(
      /cannot widen .*old\.docker\.json: syscall number without a name: x86_64 500/,
    );
    expect(readFileSync(docker, 'utf8')).toBe(before);
    const fix = join(dir, 'fixed.docker.json');
    const complain = await profile([
      'enforce',
      '--complain',
      '--fix',
      fix,
      '--profile',
      docker,
      '--',
      probe,
      'unnamed',
    ]);
    expect(complain.exitCode).toBe(EXIT.badInput);
  });
});
