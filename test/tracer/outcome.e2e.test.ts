// Exit codes and signals mirrored, interruption, job control, and the one-line errors, for each
// record backend (ptrace, and eBPF where this host can load it).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/io.js';
import { traceEbpf } from '../../src/tracer/ebpf/record.js';
import { type TraceOptions, trace } from '../../src/tracer/index.js';
import { type Capability, needs } from '../support/host.js';
import { CLI, realPython, recordArgs, recordCli } from './support.js';

let dir: string;
let n = 0;
const out = () => join(dir, `rec-${n++}.json`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-outcome-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `text` appeared on the child's stdout. */
function waitForOutput(child: ReturnType<typeof execa>, text: string): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve(seen);
    });
  });
}

function procState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return 'gone';
  }
}

for (const backend of ['ptrace', 'ebpf'] as const) {
  describe(`the ${backend} backend`, () => {
    const flags = ['--backend', backend];
    const run = (opts: TraceOptions) => (backend === 'ebpf' ? traceEbpf(opts) : trace(opts));
    /** What a test needs from the host with this backend: eBPF instead of ptrace and seccomp. */
    const backendCaps = (caps: readonly Capability[]): Capability[] =>
      backend === 'ptrace' ? [...caps] : [...caps.filter((c) => c !== 'ptrace' && c !== 'seccomp'), 'ebpf'];
    describe('exit status is mirrored', needs(...backendCaps(['ptrace', 'seccomp'])), () => {
      it.each([
        [['sh', '-c', 'exit 3'], 3, { status: 'exited', code: 3 }],
        [['true'], 0, { status: 'exited', code: 0 }],
        [['sh', '-c', 'kill -SEGV $$'], 139, { status: 'signaled', signal: 'SIGSEGV', number: 11 }],
        [['sh', '-c', 'kill -TERM $$'], 143, { status: 'signaled', signal: 'SIGTERM', number: 15 }],
      ] as const)('%j → %i', async (argv, code, exit) => {
        const output = out();
        const r = await recordCli(argv, { output, flags });
        expect(r.exitCode).toBe(code);
        expect(r.stderr).toBe('');
        const rec = readRecording(output);
        expect(rec.runs[0]?.exit).toEqual(exit);
        expect(rec.partial).toBe(false);
      });

      it('stdout and stderr of the workload pass through; the summary goes to stderr', async () => {
        const output = join(dir, 'summary.json');
        const r = await execa(
          process.execPath,
          [CLI, 'record', ...flags, '-o', output, 'sh', '-c', 'echo out; echo err >&2'],
          {
            reject: false,
            stdin: 'ignore',
          },
        );
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('out');
        expect(r.stderr).toMatch(/^err\nprofile: \d+ distinct syscalls/);
        expect(r.stderr).toContain(`written to ${output}`);
      });

      it('stdin passes through', async () => {
        const output = out();
        const r = await execa(process.execPath, recordArgs(['tr', 'a-z', 'A-Z'], { output, flags }), {
          input: 'hello',
          reject: false,
        });
        expect(r.stdout).toBe('HELLO');
      });
    });

    describe('interruption', needs(...backendCaps(['ptrace', 'seccomp'])), () => {
      it.each([
        ['SIGINT', 2],
        ['SIGTERM', 15],
        ['SIGHUP', 1],
        ['SIGQUIT', 3],
      ] as const)('%s to the profiler goes to the workload first, and a partial recording is written', async (signal, n) => {
        const output = out();
        const child = execa(
          process.execPath,
          recordArgs(['sh', '-c', 'echo ready; exec sleep 60'], { output, flags }),
          { reject: false, stdin: 'ignore' },
        );
        await waitForOutput(child, 'ready');
        child.kill(signal);
        const r = await child;
        // sleep keeps the default action: it dies of the signal, and profile reports that as a shell would.
        expect(r.exitCode).toBe(128 + n);
        const rec = readRecording(output);
        expect(rec.partial).toBe(true);
        expect(rec.runs[0]?.exit).toEqual({ status: 'signaled', signal, number: n });
        expect(rec.runs[0]?.interruptedBy).toBe(signal);
        expect(rec.runs[0]?.partial).toBe(true);
        expect(rec.syscalls.x86_64?.execve).toBeDefined();
        expect(rec.executables['/usr/bin/sleep']).toBeDefined();
      });

      it('an AbortSignal ends trace() with outcome interrupted', async () => {
        const controller = new AbortController();
        const running = run({ argv: ['sleep', '60'], signal: controller.signal });
        setTimeout(() => controller.abort(), 1000);
        const r = await running;
        expect(r.outcome).toEqual({ status: 'interrupted' });
        expect(r.recording.partial).toBe(true);
        expect(r.recording.syscalls.x86_64?.execve?.count).toBe(1);
      });
    });

    describe('job control', needs(...backendCaps(['python3', 'ptrace', 'seccomp'])), () => {
      it.each([
        'STOP',
        'TSTP',
      ])('SIG%s stops the workload (group-stop) and SIGCONT resumes it', async (sig) => {
        const output = out();
        // The kernel discards SIGTSTP sent to an orphaned process group, and whether the test's own
        // group is orphaned depends on how the suite was started (a CI job, a detached shell). So the
        // profiler gets a group of its own whose parent, this test, is in the same session: never orphaned.
        const child = execa(
          'python3',
          [
            '-c',
            'import os, sys; os.setpgid(0, 0); os.execv(sys.argv[1], sys.argv[1:])',
            process.execPath,
            ...recordArgs(['sh', '-c', `echo $$; kill -${sig} $$; echo resumed`], { output, flags }),
          ],
          { reject: false, stdin: 'ignore' },
        );
        const pid = Number((await waitForOutput(child, '\n')).trim());
        let state = procState(pid);
        for (let i = 0; i < 100 && state !== 't' && state !== 'T'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          state = procState(pid);
        }
        expect(state).toMatch(/^[tT]$/);
        // Still stopped a moment later: it was not resumed behind our back.
        await new Promise((r) => setTimeout(r, 300));
        expect(procState(pid)).toMatch(/^[tT]$/);
        process.kill(pid, 'SIGCONT');
        const r = await child;
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(`${pid}\nresumed`);
      });
    });

    describe('status line', needs(...backendCaps(['ptrace', 'seccomp'])), () => {
      it('is drawn on a terminal (stderr is a TTY) and silenced by --quiet', async () => {
        const output = out();
        const cmd = (more: string) =>
          `${process.execPath} ${CLI} record ${flags.join(' ')} ${more} -o ${output} sleep 0.5`;
        // `script` gives the profiler a pseudo-terminal.
        const shown = await execa('script', ['-qec', cmd(''), '/dev/null'], { reject: false });
        expect(shown.exitCode).toBe(0);
        expect(shown.stdout).toMatch(/\r\x1b\[Krecording… \d+\.\ds · \d+ distinct syscalls · \d+ process/);
        expect(shown.stdout).toContain(`written to ${output}`);
        const quiet = await execa('script', ['-qec', cmd('-q'), '/dev/null'], { reject: false });
        expect(quiet.exitCode).toBe(0);
        expect(quiet.stdout).not.toContain('recording…');
        expect(quiet.stdout).not.toContain('written to');
      });
    });

    describe('Ctrl-Z on a terminal', needs(...backendCaps(['python3', 'ptrace', 'seccomp'])), () => {
      it('stops the profiler and the workload together; fg resumes both', async () => {
        const output = out();
        const driver = fileURLToPath(new URL('../fixtures/tracer/ctrlz.py', import.meta.url));
        const r = await execa('python3', [
          driver,
          process.execPath,
          CLI,
          `record ${flags.join(' ')} -q -o ${output}`,
        ]);
        const result = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(result).toMatchObject({ started: true, stopped: true, psDone: true, finished: true, rc: '0' });
        // The traced shell (and its sleep) were in a stop state, not running behind the job's back.
        expect(Number(result.stoppedTracees)).toBeGreaterThanOrEqual(1);
        expect(result.ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `tick ${i}`));
        expect(readRecording(output).partial).toBe(false);
      });
    });
  });
}

describe('errors are one line with a defined exit code', needs('ptrace', 'seccomp'), () => {
  async function cli(args: string[]) {
    return execa(process.execPath, [CLI, ...args], { reject: false, stdin: 'ignore', cwd: dir });
  }

  it('command not found → 127', async () => {
    const r = await cli(['record', '-o', out(), 'no-such-command-xyz']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe('profile: no-such-command-xyz: command not found');
  });

  it('not executable → 126', async () => {
    const script = join(dir, 'not-exec.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const r = await cli(['record', '-o', out(), script]);
    expect(r.exitCode).toBe(126);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not executable/);
  });

  it('an unwritable output path fails before the workload runs → 73', async () => {
    const marker = join(dir, 'ran');
    const r = await cli(['record', '-o', join(dir, 'missing-dir', 'rec.json'), 'touch', marker]);
    expect(r.exitCode).toBe(73);
    expect(r.stderr).toMatch(/^profile: cannot write .*missing-dir\/rec\.json: directory does not exist$/);
    expect(existsSync(marker)).toBe(false);
  });

  it('ptrace refused (the profiler is itself traced) → 69 with the usual causes', async () => {
    const r = await execa(
      'strace',
      ['-f', '-qq', '-o', '/dev/null', process.execPath, CLI, 'record', '-o', out(), 'true'],
      {
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toMatch(
      /^profile: ptrace refused \(EPERM\): Yama ptrace_scope.*CAP_SYS_PTRACE.*already being traced$/,
    );
  });

  it('options before the command are ours, the rest is the workload’s, with or without --', async () => {
    const a = out();
    const r1 = await cli(['record', '-q', '-o', a, 'ls', '-la', '/']);
    expect(r1.exitCode).toBe(0);
    expect(r1.stdout).toMatch(/^total /);
    expect(readRecording(a).runs[0]?.command).toEqual(['ls', '-la', '/']);
    const b = out();
    const r2 = await cli(['record', '-q', '-o', b, '--', 'sh', '-c', 'echo "$0 $1"', '-o', '--quiet']);
    expect(r2.stdout).toBe('-o --quiet');
    expect(readRecording(b).runs[0]?.command).toEqual(['sh', '-c', 'echo "$0 $1"', '-o', '--quiet']);
  });

  it('show: corrupt or foreign input → 65, missing → 66', async () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "seccomp-profiler.recording", "version": 1, "runs": 3}');
    const r1 = await cli(['show', corrupt]);
    expect(r1.exitCode).toBe(65);
    expect(r1.stderr).toMatch(/^profile: .*corrupt recording at /);
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"defaultAction": "SCMP_ACT_ERRNO"}');
    const r2 = await cli(['show', foreign]);
    expect(r2.exitCode).toBe(65);
    expect(r2.stderr).toMatch(/not a recording/);
    const r3 = await cli(['show', join(dir, 'nope.json')]);
    expect(r3.exitCode).toBe(66);
    expect(r3.stderr.split('\n')).toHaveLength(1);
  });
});

describe('pinning is invisible to the workload', needs('python3', 'ptrace', 'seccomp'), () => {
  it('sched_getaffinity reports the CPU set the workload would see untraced', async () => {
    const python = await realPython();
    const argv = [python, '-c', 'import os; print(sorted(os.sched_getaffinity(0)))'];
    const native = await execa(argv[0]!, argv.slice(1));
    const traced = await recordCli(argv, { output: out() });
    expect(traced.stdout).toBe(native.stdout);
  });

  it('a workload that sets its own affinity gets exactly what it asked for', async () => {
    const python = await realPython();
    const argv = ['taskset', '-c', '0', python, '-c', 'import os; print(sorted(os.sched_getaffinity(0)))'];
    const traced = await recordCli(argv, { output: out() });
    expect(traced.exitCode).toBe(0);
    expect(traced.stdout).toBe('[0]');
  });
});
