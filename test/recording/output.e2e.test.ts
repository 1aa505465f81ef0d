// Every command that writes a file (record, generate, merge, enforce --fix, check --update) writes
// through a symlink to its target, refuses a FIFO before doing anything, writes /dev/null and
// /dev/stdout through without replacing them, rejects '' and `dir/` with one line, and finds out that
// it cannot write before the workload runs. Parallel `record --append` runs are all kept.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { CLI, profile, type Ran, scratch } from '../enforcer/support.js';
import { needs } from '../support/host.js';

let dir: string;
let rec: string;
let docker: string;

/** One line on stderr, starting `profile: `, no stack. */
function oneLine(r: Ran): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^profile: /);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  return lines[0]!;
}

/** A fresh symlink `name` → `name.target` (the target exists with `content` when given). */
function link(name: string, content?: string): { link: string; target: string } {
  const target = join(dir, `${name}.target`);
  if (content !== undefined) writeFileSync(target, content);
  const path = join(dir, name);
  symlinkSync(`${name}.target`, path);
  return { link: path, target };
}

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** Removes the marker the recorded workload leaves, so a test can tell whether it ran. */
const notYetRun = () => rmSync(join(dir, 'ran'), { force: true });

/** The five writers, each given the output path. */
const WRITERS: Record<string, (out: string) => string[]> = {
  record: (out) => ['record', '-q', '-o', out, '--', 'sh', '-c', `: > ${join(dir, 'ran')}`],
  generate: (out) => ['generate', rec, '--format', 'docker', '-o', out],
  merge: (out) => ['merge', '-o', out, rec, rec],
  'enforce --fix': (out) => [
    'enforce',
    '--profile',
    docker,
    '--complain',
    '--fix',
    out,
    '--',
    'sh',
    '-c',
    'echo hi',
  ],
  'check --update': (out) => ['check', '--profile', out, '--update', '--', 'sh', '-c', 'echo hi'],
};

describe('writing results', needs('ptrace', 'seccomp'), () => {
  beforeAll(async () => {
    dir = scratch('output');
    rec = join(dir, 'rec.json');
    docker = join(dir, 'true.json');
    expect((await profile(['record', '-q', '-o', rec, '--', '/bin/true'])).exitCode).toBe(0);
    expect((await profile(['generate', rec, '--format', 'docker', '-o', docker])).exitCode).toBe(0);
  });

  it.each(Object.keys(WRITERS))('%s: -o at a symlink updates its target; the link stays', async (name) => {
    const isCheck = name === 'check --update';
    const { link: path, target } = link(`sym-${name.replace(/\W/g, '')}.json`, isCheck ? '' : 'old');
    if (isCheck) copyFileSync(docker, target);
    chmodSync(target, 0o600);
    const r = await profile(WRITERS[name]!(path));
    expect(r.exitCode, r.stderr).toBe(isCheck ? EXIT.failure : 0);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path)).toBe(`${path.split('/').pop()}.target`);
    const written = JSON.parse(readFileSync(target, 'utf8'));
    expect(written).toBeTypeOf('object');
    if (isCheck) expect(r.stderr).toMatch(/updated/);
    // The target keeps its mode.
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('a dangling symlink is followed: its target is created', async () => {
    const { link: path, target } = link('dangling.json');
    expect((await profile(['generate', rec, '-o', path])).exitCode).toBe(0);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).defaultAction).toBe('SCMP_ACT_KILL_PROCESS');
  });

  it.each(Object.keys(WRITERS))('%s: -o at a FIFO is refused before anything runs', async (name) => {
    notYetRun();
    const path = fifo(`fifo-${name.replace(/\W/g, '')}`);
    const r = await profile(WRITERS[name]!(path));
    expect(r.exitCode).toBe(EXIT.cantCreate);
    expect(oneLine(r)).toMatch(/is a FIFO/);
    expect(statSync(path).isFIFO()).toBe(true);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it.each(Object.keys(WRITERS))("%s: '' and dir/ are rejected with one line", async (name) => {
    notYetRun();
    for (const bad of ['', join(dir, 'adir/')]) {
      const r = await profile(WRITERS[name]!(bad));
      expect(r.exitCode, `${bad}: ${r.stderr}`).toBe(EXIT.usage);
      expect(oneLine(r)).toMatch(/empty|ends in \//);
    }
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('-o /proc/x fails with 73 before the workload runs', async () => {
    notYetRun();
    const r = await profile(WRITERS.record!('/proc/x'));
    expect(r.exitCode).toBe(EXIT.cantCreate);
    expect(oneLine(r)).toMatch(/cannot write \/proc\/x/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('-o into a directory that is not there fails with 73 before the workload runs', async () => {
    notYetRun();
    const r = await profile(WRITERS.record!(join(dir, 'missing', 'rec.json')));
    expect(r.exitCode).toBe(EXIT.cantCreate);
    expect(oneLine(r)).toMatch(/directory does not exist/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('-o /dev/null writes through: it stays the null device', async () => {
    notYetRun();
    for (const args of [WRITERS.record!('/dev/null'), WRITERS.generate!('/dev/null')]) {
      const r = await profile(args);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    }
    expect(existsSync(join(dir, 'ran'))).toBe(true);
  });

  it('-o /dev/stdout writes to the pipe the profiler was given', async () => {
    const r = await execa('node', [CLI, 'record', '-q', '-o', '/dev/stdout', '--', 'true'], {
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe('seccomp-profiler.recording');
    const g = await execa('node', [CLI, 'generate', rec, '--format', 'systemd', '-o', '/dev/fd/1'], {
      reject: false,
    });
    expect(g.stdout).toMatch(/^SystemCallFilter=/m);
  });

  it('--append to a device is refused: there is nothing to merge into', async () => {
    const r = await profile(['record', '-q', '--append', '-o', '/dev/null', '--', 'true']);
    expect(r.exitCode).toBe(EXIT.usage);
    expect(oneLine(r)).toMatch(/--append needs a recording file/);
  });

  it('five parallel `record --append` runs to one file are all kept', async () => {
    const out = join(dir, 'same.json');
    const runs = await Promise.all(
      [0, 1, 2, 3, 4].map(() => profile(['record', '-q', '--append', '-o', out, '--', '/bin/true'])),
    );
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(out, 'utf8'));
    expect(merged.runs).toHaveLength(5);
    // Each run of /bin/true is one execve and one exit_group: the counts add up.
    expect(merged.syscalls.x86_64.execve.count).toBe(5);
    expect(merged.syscalls.x86_64.exit_group.count).toBe(5);
    expect(
      merged.execs.find((e: { path: string }) => e.path === '/bin/true' || e.path.endsWith('/true')).count,
    ).toBe(5);
    // No lock or temp file is left behind.
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' })).not.toMatch(/\.lock|\.tmp/);
  });
});
