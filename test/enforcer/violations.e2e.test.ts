// A profile missing syscalls: enforce names the one that kills, complain lists all, check gates drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { needs } from '../support/host.js';
import { compileFixture } from '../tracer/support.js';
import {
  jsonReport,
  native,
  PYTHON,
  profile,
  recordAndGenerate,
  scratch,
  withoutSyscalls,
} from './support.js';

interface Report {
  exitCode: number;
  violations: {
    kind: string;
    syscall: string;
    arch: string;
    count: number;
    executables: Record<string, number>;
    pid?: number;
    args?: string[];
  }[];
}

const CAT = ['cat', 'demo/sample.txt'];
let dir: string;
let docker: string;
let expected: string;

beforeAll(async () => {
  dir = scratch('violations');
  docker = (await recordAndGenerate(dir, CAT, ['docker'])).outputs.docker!;
  expected = (await native(CAT)).stdout;
});

describe('enforce with one syscall missing', needs('python3', 'ptrace', 'seccomp'), () => {
  it('names exactly that syscall, its pid, executable and arguments, and exits 159', async () => {
    const broken = withoutSyscalls(docker, ['fadvise64'], join(dir, 'no-fadvise.json'));
    const run = await profile(['enforce', '--json', '--profile', broken, '--', ...CAT]);
    expect(run.exitCode).toBe(EXIT.violation);
    const report = jsonReport<Report>(run.stdout);
    expect(report.violations).toHaveLength(1);
    const v = report.violations[0]!;
    expect(v).toMatchObject({ kind: 'killed', syscall: 'fadvise64', arch: 'x86_64' });
    expect(Object.keys(v.executables)).toEqual(['/usr/bin/cat']);
    expect(v.pid).toBeGreaterThan(0);
    expect(v.args).toHaveLength(6);
    expect(run.stderr).toContain('fadvise64 (x86_64 syscall 221)');
    expect(run.stderr).toContain('/usr/bin/cat');
  });

  it('with a trap default, names the syscall from the SIGSYS siginfo', async () => {
    const work = scratch('trap');
    const { outputs } = await recordAndGenerate(work, CAT, ['docker'], ['--default-action', 'trap']);
    const broken = withoutSyscalls(outputs.docker!, ['fadvise64'], join(work, 'no-fadvise.json'));
    const run = await profile(['enforce', '--json', '--profile', broken, '--', ...CAT]);
    expect(run.exitCode).toBe(EXIT.violation);
    const report = jsonReport<Report>(run.stdout);
    expect(report.violations.map((v) => [v.kind, v.syscall])).toEqual([['trapped', 'fadvise64']]);
  });

  it('with an errno default, reports the refused syscall and the workload carries on', async () => {
    const work = scratch('errno');
    const { outputs } = await recordAndGenerate(work, CAT, ['docker'], ['--default-action', 'errno']);
    const broken = withoutSyscalls(outputs.docker!, ['fadvise64'], join(work, 'no-fadvise.json'));
    const run = await profile(['enforce', '--json', '--profile', broken, '--', ...CAT]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.startsWith(expected)).toBe(true);
    const report = jsonReport<Report>(run.stdout);
    expect(report.violations.map((v) => [v.kind, v.syscall])).toEqual([['refused', 'fadvise64']]);
    expect(run.stderr).toMatch(/fadvise64\s+1×\s+\/usr\/bin\/cat/);
  });
});

describe('enforce --complain', needs('python3', 'ptrace', 'seccomp'), () => {
  it('lists every removed syscall in one run, lets the workload finish, and --fix widens the profile', async () => {
    const removed = ['fadvise64', 'munmap', 'write'];
    const broken = withoutSyscalls(docker, removed, join(dir, 'three-missing.json'));
    const fixed = join(dir, 'fixed.json');
    const run = await profile([
      'enforce',
      '--complain',
      '--json',
      '--fix',
      fixed,
      '--profile',
      broken,
      '--',
      ...CAT,
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.startsWith(expected)).toBe(true);
    const report = jsonReport<Report>(run.stdout);
    expect(report.violations.map((v) => v.syscall).sort()).toEqual([...removed].sort());
    for (const v of report.violations) {
      expect(v.kind).toBe('would-block');
      expect(Object.keys(v.executables)).toEqual(['/usr/bin/cat']);
    }
    for (const name of removed) expect(run.stderr).toContain(name);
    // The widened profile keeps the Docker format and now runs the workload.
    expect(JSON.parse(readFileSync(fixed, 'utf8')).syscalls).toBeInstanceOf(Array);
    const again = await profile(['enforce', '--profile', fixed, '--', ...CAT]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe(expected);
  });
});

describe('argument rules', needs('python3', 'ptrace', 'seccomp'), () => {
  it('complain names the argument values an argument rule refused; --fix allows them, keeping the old ones', async () => {
    const work = scratch('args');
    const unix = [PYTHON, '-c', 'import socket; socket.socket(socket.AF_UNIX)'];
    const inet = [
      PYTHON,
      '-c',
      'import socket; socket.socket(socket.AF_UNIX); socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
    ];
    const p = (await recordAndGenerate(work, unix, ['docker'])).outputs.docker!;
    const killed = await profile(['enforce', '--profile', p, '--', ...inet]);
    expect(killed.exitCode).toBe(EXIT.violation);
    expect(killed.stderr).toContain('socket(domain=AF_INET6, type=SOCK_DGRAM|SOCK_CLOEXEC');
    const fixed = join(work, 'fixed.json');
    const complain = await profile(['enforce', '--complain', '--fix', fixed, '--profile', p, '--', ...inet]);
    expect(complain.exitCode).toBe(0);
    expect(complain.stderr).toMatch(/socket +1× .*\[domain=AF_INET6 type=SOCK_DGRAM\|SOCK_CLOEXEC\]/);
    for (const argv of [unix, inet]) {
      const run = await profile(['enforce', '--profile', fixed, '--', ...argv]);
      expect(run.exitCode, run.stderr).toBe(0);
    }
  });
});

describe('raw BPF profiles', needs('python3', 'ptrace', 'seccomp'), () => {
  it('--fix widens a .bpf filter exactly: new values allowed, its argument rules (W^X, other domains) kept', async () => {
    const work = scratch('bpf-fix');
    const unix = [PYTHON, '-c', 'import socket; socket.socket(socket.AF_UNIX)'];
    const inet = [
      PYTHON,
      '-c',
      'import socket; socket.socket(socket.AF_UNIX); socket.socket(socket.AF_INET)',
    ];
    const inet6 = [PYTHON, '-c', 'import socket; socket.socket(socket.AF_INET6)'];
    const bpf = (await recordAndGenerate(work, unix, ['bpf'])).outputs.bpf!;
    expect((await profile(['lint', '--strict', bpf])).exitCode).toBe(0);
    const fixed = join(work, 'fixed.bpf');
    const complain = await profile([
      'enforce',
      '--complain',
      '--fix',
      fixed,
      '--profile',
      bpf,
      '--',
      ...inet,
    ]);
    expect(complain.exitCode, complain.stderr).toBe(0);
    expect((await profile(['enforce', '--profile', fixed, '--', ...inet])).exitCode).toBe(0);
    const other = await profile(['enforce', '--profile', fixed, '--', ...inet6]);
    expect(other.exitCode).toBe(EXIT.violation);
    expect(other.stderr).toContain('socket(domain=AF_INET6');
    const lint = await profile(['lint', '--strict', fixed]);
    expect(lint.stdout).toContain('no dangerous allowances');
  });
});

describe('check', needs('python3', 'ptrace', 'seccomp'), () => {
  const before = [PYTHON, '-c', 'import os; print(os.getppid() > 0)'];
  const after = [PYTHON, '-c', 'import os; print(os.getppid() > 0); os.getpgrp()'];

  it('passes the unchanged workload, catches a new syscall, and --update widens the profile', async () => {
    const work = scratch('check');
    const p = (await recordAndGenerate(work, before, ['docker'])).outputs.docker!;
    const clean = await profile(['check', '--profile', p, '--', ...before]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('True');
    expect(clean.stderr).toContain('clean');

    const drift = await profile(['check', '--json', '--profile', p, '--', ...after]);
    expect(drift.exitCode).toBe(1);
    const report = jsonReport<{ drift: Report['violations'] }>(drift.stdout);
    expect(report.drift.map((v) => `${v.arch} ${v.syscall}`)).toEqual(['x86_64 getpgrp']);
    expect(drift.stderr).toMatch(/\/usr\/bin\/python3\.\d+\n\s+x86_64 getpgrp/);

    const update = await profile(['check', '--update', '--profile', p, '--', ...after]);
    expect(update.exitCode).toBe(1);
    expect(JSON.parse(readFileSync(p, 'utf8')).syscalls).toBeInstanceOf(Array);
    const now = await profile(['check', '--profile', p, '--', ...after]);
    expect(now.exitCode, now.stderr).toBe(0);
  });

  it('an allow-all profile blocks nothing, so nothing is drift; a log default neither', async () => {
    for (const action of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']) {
      const file = join(dir, `${action}.json`);
      writeFileSync(file, JSON.stringify({ defaultAction: action, syscalls: [] }));
      const r = await profile(['check', '--profile', file, '--', ...CAT]);
      expect({ action, exitCode: r.exitCode, stderr: r.stderr }).toMatchObject({ exitCode: 0 });
      expect(r.stderr).toContain('clean');
    }
  });

  it('--update on a recording merges what is new and keeps it a recording', async () => {
    const work = scratch('check-rec');
    const { recording } = await recordAndGenerate(work, before, []);
    const drift = await profile(['check', '--update', '--profile', recording, '--', ...after]);
    expect(drift.exitCode).toBe(1);
    const rec = JSON.parse(readFileSync(recording, 'utf8'));
    expect(rec.format).toBe('seccomp-profiler.recording');
    expect(rec.syscalls.x86_64.getpgrp).toBeDefined();
    expect(rec.runs).toHaveLength(2);
    const now = await profile(['check', '--profile', recording, '--', ...after]);
    expect(now.exitCode, now.stderr).toBe(0);
  });
});

describe('other ABIs', needs('gcc', 'ptrace', 'seccomp'), () => {
  it('an x32 call outside an x86_64-only profile is named as x32; complain lists it instead', async () => {
    const work = scratch('x32');
    const x32 = await compileFixture('x32', work);
    const { outputs } = await recordAndGenerate(work, [x32], ['docker'], ['--arches', 'x86_64']);
    const run = await profile(['enforce', '--json', '--profile', outputs.docker!, '--', x32]);
    expect(run.exitCode).toBe(EXIT.violation);
    expect(jsonReport<Report>(run.stdout).violations.map((v) => [v.arch, v.syscall])).toEqual([
      ['x32', 'getpid'],
    ]);
    const complain = await profile([
      'enforce',
      '--complain',
      '--json',
      '--profile',
      outputs.docker!,
      '--',
      x32,
    ]);
    expect(complain.exitCode).toBe(0);
    const seen = jsonReport<Report>(complain.stdout).violations.map((v) => `${v.arch} ${v.syscall}`);
    expect(seen).toEqual(['x32 getpid']);
  });

  it(
    'an i386 call (int 0x80) outside an x86_64-only profile is named as i386; complain lists it instead',
    needs('i386'),
    async () => {
      const work = scratch('int80');
      const int80 = await compileFixture('int80', work);
      const { outputs } = await recordAndGenerate(work, [int80], ['docker'], ['--arches', 'x86_64']);
      const run = await profile(['enforce', '--json', '--profile', outputs.docker!, '--', int80]);
      expect(run.exitCode).toBe(EXIT.violation);
      expect(jsonReport<Report>(run.stdout).violations.map((v) => [v.arch, v.syscall])).toEqual([
        ['i386', 'getpid'],
      ]);
      const complain = await profile([
        'enforce',
        '--complain',
        '--json',
        '--profile',
        outputs.docker!,
        '--',
        int80,
      ]);
      expect(complain.exitCode).toBe(0);
      const seen = jsonReport<Report>(complain.stdout).violations.map((v) => `${v.arch} ${v.syscall}`);
      expect(seen.sort()).toEqual(['i386 getpid', 'i386 getppid']);
    },
  );
});
