// record → generate → enforce on real programs we did not write, through the real CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../support/host.js';
import { jsonReport, native, PYTHON, profile, recordAndGenerate, scratch } from './support.js';

const dir = scratch('e2e');
const gitRepo = join(dir, 'repo');

beforeAll(async () => {
  mkdirSync(gitRepo);
  writeFileSync(join(gitRepo, 'a.txt'), 'hello\n');
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd: gitRepo });
  await git('init', '-q');
  await git('add', 'a.txt');
  await git('commit', '-q', '-m', 'first commit');
});

const PROGRAMS: { name: string; argv: string[]; cwd?: string }[] = [
  { name: 'coreutils ls + sha256sum', argv: ['sh', '-c', 'ls -l demo && sha256sum demo/sample.txt'] },
  { name: 'coreutils sort', argv: ['sort', '-r', 'demo/sample.txt'] },
  { name: 'python3', argv: [PYTHON, 'demo/wordfreq.py', 'demo/sample.txt'] },
  { name: 'git', argv: ['git', '--no-pager', '-C', gitRepo, 'log', '--format=%s %an'] },
  {
    name: 'node',
    argv: [
      process.execPath,
      '-e',
      "console.log(require('node:crypto').createHash('sha256').update('x').digest('hex'))",
    ],
  },
  { name: 'sh pipeline', argv: ['sh', '-c', 'cat demo/sample.txt | tr a-z A-Z | sort | uniq -c | head -3'] },
];

describe('record → generate → enforce', needs('git', 'python3', 'ptrace', 'seccomp'), () => {
  it.each(PROGRAMS)('$name runs under its own profile with identical stdout', async ({ name, argv }) => {
    const work = scratch(name.replace(/\W+/g, '-'));
    const expected = await native(argv);
    expect(expected.exitCode).toBe(0);
    const { outputs } = await recordAndGenerate(work, argv, ['docker']);
    const run = await profile(['enforce', '--profile', outputs.docker!, '--', ...argv]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(expected.stdout);
  });

  it('replays the command stored in the recording and in the generated file', async () => {
    const work = scratch('replay');
    const argv = [PYTHON, 'demo/wordfreq.py', 'demo/sample.txt'];
    const expected = await native(argv);
    const { recording, outputs } = await recordAndGenerate(work, argv, ['docker']);
    for (const p of [recording, outputs.docker!]) {
      const run = await profile(['enforce', '--profile', p], { cwd: work });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected.stdout);
    }
  });

  it('mirrors the exit status and reports JSON', async () => {
    const work = scratch('exit');
    const argv = ['sh', '-c', 'echo out; exit 3'];
    const rec = await profile(['record', '--quiet', '-o', join(work, 'r.json'), '--', ...argv]);
    expect(rec.exitCode).toBe(3);
    const run = await profile(['enforce', '--json', '--profile', join(work, 'r.json'), '--', ...argv]);
    expect(run.exitCode).toBe(3);
    const report = jsonReport<{ exitCode: number; violations: unknown[]; mode: string }>(run.stdout);
    expect(report).toMatchObject({ exitCode: 3, violations: [], mode: 'enforce' });
    expect(run.stdout.startsWith('out\n')).toBe(true);
  });
});
