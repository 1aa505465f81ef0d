// Bad inputs get one clear line and touch nothing; diff and lint on real files.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syscallNumber } from '../../src/arch/index.js';
import { EXIT } from '../../src/errors.js';
import { runtimeSyscalls } from '../../src/generator/policy/runtime.js';
import { MOBY_DEFAULT } from '../support/fixtures.js';
import { needs } from '../support/host.js';
import { profile, recordAndGenerate, scratch, withoutSyscalls } from './support.js';

const CAT = ['cat', 'demo/sample.txt'];
let dir: string;
let good: string;

beforeAll(async () => {
  dir = scratch('inputs');
  good = (await recordAndGenerate(dir, CAT, ['docker'])).outputs.docker!;
});

/** A real x86_64 recording rewritten as if it had been made on aarch64 (names kept, numbers mapped). */
function asAarch64(path: string): unknown {
  const rec = JSON.parse(readFileSync(path, 'utf8'));
  const calls: Record<string, { nr: number; count: number }> = {};
  for (const [name, v] of Object.entries(rec.syscalls.x86_64 as Record<string, { count: number }>)) {
    const nr = syscallNumber('aarch64', name);
    if (nr !== undefined) calls[name] = { nr, count: v.count };
  }
  const executables: Record<string, unknown> = {};
  for (const [exe, perArch] of Object.entries(rec.executables as Record<string, Record<string, unknown>>)) {
    executables[exe] = { aarch64: perArch.x86_64 };
  }
  for (const run of rec.runs) run.machine = 'aarch64';
  return { ...rec, syscalls: { aarch64: calls }, executables, args: {} };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^profile: /);
  expect(lines[0]).not.toMatch(/internal error|at .*\.js:\d+/);
  return lines[0]!;
}

describe('bad inputs', needs('ptrace', 'seccomp'), () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    {
      name: 'a missing profile',
      file: () => join(dir, 'nope.json'),
      code: EXIT.noInput,
      says: /nope\.json.*no such file/,
    },
    {
      name: 'a corrupt profile',
      file: () => write('corrupt.json', '{"syscalls": ['),
      code: EXIT.badInput,
      says: /corrupt\.json/,
    },
    { name: 'an empty file', file: () => write('empty.json', ''), code: EXIT.badInput, says: /empty/ },
    {
      name: 'a recording made on aarch64',
      file: () => write('arm-recording.json', JSON.stringify(asAarch64(join(dir, 'recording.json')))),
      code: EXIT.badInput,
      says: /for aarch64; this machine runs x86_64/,
    },
    {
      name: 'a profile that allows nothing',
      file: () =>
        write(
          'nothing.json',
          JSON.stringify({
            defaultAction: 'SCMP_ACT_KILL_PROCESS',
            architectures: ['SCMP_ARCH_X86_64'],
            syscalls: [],
          }),
        ),
      code: EXIT.badInput,
      says: /allows no syscall/,
    },
  ])('$name: one line, exit $code, nothing written', async ({ file, code, says }) => {
    const out = join(dir, `fixed-${code}-${Math.random()}.json`);
    const run = await profile(['enforce', '--complain', '--fix', out, '--profile', file(), '--', ...CAT]);
    expect(run.exitCode).toBe(code);
    expect(oneLine(run.stderr)).toMatch(says);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('a command that does not exist: exit 127, the profile untouched', async () => {
    const before = readFileSync(good, 'utf8');
    const mtime = statSync(good).mtimeMs;
    const run = await profile(['check', '--update', '--profile', good, '--', '/no/such/command']);
    expect(run.exitCode).toBe(EXIT.notFound);
    expect(oneLine(run.stderr)).toMatch(/\/no\/such\/command/);
    expect(readFileSync(good, 'utf8')).toBe(before);
    expect(statSync(good).mtimeMs).toBe(mtime);
    const enforce = await profile(['enforce', '--profile', good, '--', 'no-such-command-xyz']);
    expect(enforce.exitCode).toBe(EXIT.notFound);
    oneLine(enforce.stderr);
  });
});

describe('diff and lint on files', needs('ptrace', 'seccomp'), () => {
  it('diff lists the removed syscall, as text and JSON, and exits 1; 0 for the same file', async () => {
    const broken = withoutSyscalls(good, ['fadvise64'], join(dir, 'diff-b.json'));
    const text = await profile(['diff', good, broken]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/- fadvise64\s+allow/);
    const json = await profile(['diff', '--json', good, broken]);
    expect(JSON.parse(json.stdout).syscalls.x86_64.removed).toEqual([
      { syscall: 'fadvise64', rules: ['allow'] },
    ]);
    expect((await profile(['diff', good, good])).exitCode).toBe(0);
  });

  it('diff compares a recording with the profile generated from it: only the runtime sets differ', async () => {
    const rec = join(dir, 'recording.json');
    const run = await profile(['diff', rec, good]);
    // A docker profile made with default options adds what runc and crun do after loading it.
    expect(run.stdout).not.toMatch(/^\s+- /m);
    const added = [...run.stdout.matchAll(/^\s+\+ (\S+)/gm)].map((m) => m[1]);
    for (const name of added) expect(runtimeSyscalls('any')).toContain(name);
  });

  it('lint flags moby-default allowances and fails with --strict; a generated profile is clean', async () => {
    const lax = await profile(['lint', MOBY_DEFAULT]);
    expect(lax.exitCode).toBe(0);
    expect(lax.stdout).toMatch(/ptrace allowed: /);
    expect((await profile(['lint', '--strict', MOBY_DEFAULT])).exitCode).toBe(1);
    const ours = await profile(['lint', '--strict', good]);
    expect(ours.stdout).toContain('no dangerous allowances');
    expect(ours.exitCode).toBe(0);
  });

  it('lint flags a raw filter with no arch check and an allowing default', async () => {
    const allowAll = new Uint8Array(8);
    new DataView(allowAll.buffer).setUint16(0, 0x06, true); // BPF_RET | BPF_K
    new DataView(allowAll.buffer).setUint32(4, 0x7fff0000, true); // SECCOMP_RET_ALLOW
    const path = join(dir, 'allow-all.bpf');
    writeFileSync(path, allowAll);
    const run = await profile(['lint', '--json', path]);
    const checks = (JSON.parse(run.stdout) as { check: string }[]).map((f) => f.check);
    expect(checks).toContain('no-arch-check');
    expect(checks).toContain('default-allows');
  });
});
