// Building and merging recordings: counts add up, provenance is kept, arguments stay bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ARG_VALUES } from '../../src/recording/arg-specs.js';
import { buildRecording } from '../../src/recording/builder.js';
import { parseRecording, readRecording } from '../../src/recording/io.js';
import { mergeRecordings } from '../../src/recording/merge.js';
import type { Recording } from '../../src/recording/schema.js';
import type { RawTrace } from '../../src/tracer/protocol.js';
import { needs } from '../support/host.js';
import { CLI } from '../tracer/support.js';

function raw(partial: Partial<RawTrace>): RawTrace {
  return {
    counts: [],
    args: [],
    argsTruncated: [],
    execs: [],
    processes: 1,
    threads: 1,
    pinned: true,
    ...partial,
  };
}

function run(command: string[], raws: Partial<RawTrace>, interrupted = false): Recording {
  return buildRecording(
    {
      command,
      cwd: '/tmp',
      startedAt: new Date('2026-01-01T00:00:00Z'),
      endedAt: new Date('2026-01-01T00:00:01Z'),
      outcome: interrupted ? { status: 'interrupted' } : { status: 'exited', code: 0 },
    },
    raw(raws),
  );
}

describe('buildRecording', () => {
  it('produces a recording the schema accepts, per arch and per executable', () => {
    const rec = run(['a'], {
      counts: [
        ['/bin/a', 'x86_64', 0, 5],
        ['/bin/a', 'i386', 3, 2],
        ['/bin/b', 'x86_64', 0, 1],
        ['/bin/b', 'x32', 0x40000000 | 39, 1],
      ],
      args: [['x86_64', 'socket', { domain: 1, type: 1 }, 2]],
      execs: [['/bin/b', 1]],
    });
    expect(parseRecording(JSON.stringify(rec), 'x')).toEqual(rec);
    expect(rec.syscalls).toEqual({
      x86_64: { read: { nr: 0, count: 6 } },
      i386: { read: { nr: 3, count: 2 } },
      x32: { getpid: { nr: 0x40000000 | 39, count: 1 } },
    });
    expect(rec.executables['/bin/b']).toEqual({ x86_64: { read: 1 }, x32: { getpid: 1 } });
    expect(rec.args.x86_64?.socket).toEqual({ values: [{ domain: 1, type: 1, count: 2 }], truncated: false });
  });
});

describe('mergeRecordings', () => {
  const a = run(['a'], {
    counts: [['/bin/a', 'x86_64', 0, 5]],
    args: [['x86_64', 'ioctl', { request: 1 }, 1]],
    execs: [['/bin/a', 1]],
  });
  const b = run(
    ['b'],
    {
      counts: [
        ['/bin/a', 'x86_64', 0, 2],
        ['/bin/b', 'x86_64', 1, 3],
      ],
      args: [
        ['x86_64', 'ioctl', { request: 1 }, 4],
        ['x86_64', 'ioctl', { request: 2 }, 1],
      ],
      execs: [['/bin/a', 2]],
    },
    true,
  );

  it('sums counts and keeps every run', () => {
    const m = mergeRecordings([a, b]);
    expect(parseRecording(JSON.stringify(m), 'm')).toEqual(m);
    expect(m.syscalls.x86_64).toEqual({ read: { nr: 0, count: 7 }, write: { nr: 1, count: 3 } });
    expect(m.executables['/bin/a']?.x86_64?.read).toBe(7);
    expect(m.execs).toEqual([{ path: '/bin/a', count: 3 }]);
    expect(m.runs.map((r) => r.command)).toEqual([['a'], ['b']]);
    expect(m.partial).toBe(true);
    expect(m.args.x86_64?.ioctl?.values).toEqual([
      { request: 1, count: 5 },
      { request: 2, count: 1 },
    ]);
  });

  it('keeps argument lists bounded and says so', () => {
    const many = (from: number) =>
      run(['x'], {
        args: Array.from(
          { length: MAX_ARG_VALUES },
          (_, i) => ['x86_64', 'ioctl', { request: from + i }, 1] as const,
        ),
      });
    const m = mergeRecordings([many(0), many(MAX_ARG_VALUES)]);
    expect(m.args.x86_64?.ioctl?.values).toHaveLength(MAX_ARG_VALUES);
    expect(m.args.x86_64?.ioctl?.truncated).toBe(true);
  });

  it('is the identity on one recording (apart from the tool stamp)', () => {
    expect(mergeRecordings([a])).toEqual(a);
  });
});

describe('record --append and profile merge', needs('ptrace', 'seccomp'), () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recording-merge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--append merges runs into the existing recording; merge does the same from files', async () => {
    const rec = join(dir, 'appended.json');
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    const opts = { stdin: 'ignore' as const, stdout: 'ignore' as const };
    await execa(process.execPath, [CLI, 'record', '-q', '-o', one, 'true'], opts);
    await execa(process.execPath, [CLI, 'record', '-q', '-o', two, 'sh', '-c', 'exit 0'], opts);
    await execa(process.execPath, [CLI, 'record', '-q', '-o', rec, 'true'], opts);
    await execa(process.execPath, [CLI, 'record', '-q', '--append', '-o', rec, 'sh', '-c', 'exit 0'], opts);
    const appended = readRecording(rec);
    expect(appended.runs.map((r) => r.command)).toEqual([['true'], ['sh', '-c', 'exit 0']]);
    const r1 = readRecording(one);
    const r2 = readRecording(two);
    const execve = (r: Recording) => r.syscalls.x86_64?.execve?.count ?? 0;
    expect(execve(appended)).toBe(execve(r1) + execve(r2));
    const merged = join(dir, 'merged.json');
    const m = await execa(process.execPath, [CLI, 'merge', '-o', merged, one, two], { reject: false });
    expect(m.exitCode).toBe(0);
    const fromFiles = readRecording(merged);
    expect(fromFiles.runs.map((r) => r.command)).toEqual([['true'], ['sh', '-c', 'exit 0']]);
    expect(fromFiles.syscalls).toEqual(mergeRecordings([r1, r2]).syscalls);
  });

  it('show --json prints per-arch names with counts', async () => {
    const rec = join(dir, 'show.json');
    await execa(process.execPath, [CLI, 'record', '-q', '-o', rec, 'true'], { stdin: 'ignore' });
    const r = await execa(process.execPath, [CLI, 'show', rec, '--json']);
    const json = JSON.parse(r.stdout) as { syscalls: Record<string, Record<string, number>> };
    expect(json.syscalls.x86_64?.execve).toBe(1);
    expect(Object.values(json.syscalls.x86_64 ?? {}).every((n) => typeof n === 'number')).toBe(true);
    const table = await execa(process.execPath, [CLI, 'show', rec]);
    expect(table.stdout).toMatch(/execve\s+│ x86_64 │ 59/);
    expect(table.stdout).toContain('/usr/bin/true');
  });
});
