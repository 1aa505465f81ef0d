// On real workloads the eBPF recording equals the ptrace recording: the same syscalls per ABI,
// executables, execs, processes and threads, and argument values. Calls that depend on thread
// timing in the workload itself are named per workload and left out of both sides.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHES } from '../../../src/arch/index.js';
import { readRecording } from '../../../src/recording/io.js';
import type { Recording } from '../../../src/recording/schema.js';
import { needs } from '../../support/host.js';
import { fixture, realPython, recordCli } from '../support.js';

let dir: string;
let python: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ebpf-parity-'));
  python = await realPython();
  writeFileSync(
    join(dir, 'data.txt'),
    Array.from({ length: 500 }, (_, i) => `line ${(i * 7919) % 500}`).join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
async function recordWith(
  backend: string,
  argv: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<Recording> {
  const output = join(dir, `rec-${seq++}.json`);
  const r = await recordCli(argv, {
    output,
    cwd: dir,
    flags: ['--backend', backend],
    ...(env ? { env } : {}),
  });
  expect(r.exitCode, r.stderr).toBe(0);
  return readRecording(output);
}

/** Syscall names per ABI, without `racy`. */
function names(rec: Recording, racy: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const arch of ARCHES) {
    const set = Object.keys(rec.syscalls[arch] ?? {}).filter((n) => !racy.includes(n));
    if (set.length) out[arch] = set.sort();
  }
  return out;
}

function shape(rec: Recording, racy: readonly string[]) {
  return {
    syscalls: names(rec, racy),
    executables: Object.keys(rec.executables).sort(),
    execs: rec.execs,
    processes: rec.runs[0]?.processes,
    threads: rec.runs[0]?.threads,
    exit: rec.runs[0]?.exit,
    argNames: Object.fromEntries(Object.entries(rec.args).map(([a, m]) => [a, Object.keys(m ?? {}).sort()])),
  };
}

async function expectParity(
  argv: () => readonly string[],
  racy: readonly string[] = [],
  env?: NodeJS.ProcessEnv,
) {
  const viaPtrace = await recordWith('ptrace', argv(), env);
  const viaEbpf = await recordWith('ebpf', argv(), env);
  expect(shape(viaEbpf, racy)).toEqual(shape(viaPtrace, racy));
  expect(viaEbpf.runs[0]?.backend).toBe('ebpf');
  return { viaPtrace, viaEbpf };
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: '/nonexistent',
};

describe('eBPF and ptrace record the same', needs('ebpf'), () => {
  it('coreutils: ls, sort | uniq, head, cp, du, date', async () => {
    await expectParity(() => ['ls', '-laR', '/usr/share/doc/coreutils']);
    // In a fresh directory for each run, so both runs start from the same files. And no `| head`
    // after a writer that fills more than one pipe buffer: whether that writer then dies of SIGPIPE
    // (sort re-raises it: gettid, tgkill) depends on scheduling, under any recorder.
    let runs = 0;
    await expectParity(() => [
      'sh',
      '-c',
      `mkdir w${++runs} && cd w${runs} && sort ../data.txt | uniq -c | sort -rn > sorted.txt; head -3 sorted.txt; cp ../data.txt copy.txt; du -s .`,
    ]);
    await expectParity(() => ['date', '-u', '+%s']);
  });

  it('sh pipelines and subshells', async () => {
    const { viaEbpf } = await expectParity(() => [
      'sh',
      '-c',
      'seq 200 | sort -r | head -5 | tr 0-9 a-j; (cd /; ls | wc -l); for i in 1 2 3; do /bin/true; done',
    ]);
    expect(viaEbpf.execs.find((e) => e.path === '/usr/bin/true')?.count).toBe(3);
  });

  it('python3 with threads and a subprocess', async () => {
    // futex: whether a thread ever waits on a contended lock depends on scheduling;
    // restart_syscall: whether SIGCHLD lands while a thread sleeps in poll/nanosleep.
    const racy = ['futex', 'restart_syscall'];
    await expectParity(() => [python, fixture('thread_subprocess.py')], racy);
    await expectParity(
      () => [
        python,
        '-c',
        'import subprocess, concurrent.futures as f\nwith f.ThreadPoolExecutor(4) as p: list(p.map(lambda i: subprocess.run(["ls", "/"], capture_output=True).returncode, range(8)))',
      ],
      racy,
    );
  });

  it('git: init, add, commit, log, status', async () => {
    let repos = 0;
    await expectParity(
      // A fresh repository for each run: both runs start from the same state.
      () => [
        'sh',
        '-c',
        `git init -q repo${++repos} && cd repo${repos} && cp ../data.txt . && git add . && git commit -qm one && git log --oneline && git status --short`,
      ],
      [],
      GIT_ENV,
    );
  });

  it('node with worker_threads and a child process', async () => {
    // sched_yield: node's own exit race (see the strace tests); futex: thread scheduling.
    await expectParity(() => [process.execPath, fixture('workers.mjs')], ['sched_yield', 'futex']);
    await expectParity(
      () => [process.execPath, '-e', 'require("child_process").execFileSync("ls", ["/"]); console.log("ok")'],
      ['sched_yield', 'futex'],
    );
  });
});
