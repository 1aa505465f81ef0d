// `profile inspect PID`: the filters a process really has, read back from the kernel, and whether
// they decide as a given profile does. The process is started by bwrap with our raw filter.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { profile, recordAndGenerate, scratch } from '../enforcer/support.js';
import { needs } from '../support/host.js';

describe('profile inspect on a process', needs('root', 'bwrap', 'ptrace', 'seccomp'), () => {
  let dir: string;
  let bpf: string;
  let other: string;
  let child: ChildProcess;

  beforeAll(async () => {
    dir = scratch('inspect');
    bpf = (await recordAndGenerate(dir, ['sleep', '0.1'], ['bpf'])).outputs.bpf!;
    other = (await recordAndGenerate(scratch('inspect-ls'), ['ls', '/'], ['bpf'])).outputs.bpf!;
    const fd = openSync(bpf, 'r');
    try {
      child = spawn(
        'bwrap',
        ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--seccomp', '3', 'sleep', '60'],
        {
          stdio: ['ignore', 'ignore', 'ignore', fd],
        },
      );
    } finally {
      closeSync(fd);
    }
    // bwrap execs sleep in a child of its own: wait until a sleep under it has its filter.
    for (let i = 0; i < 100 && !sleeper(); i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(() => child?.kill('SIGKILL'));

  /** The pid of the filtered `sleep 60` bwrap started, once it runs. */
  function sleeper(): number | undefined {
    const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
    for (const pid of [child.pid!, ...kids.map(Number)]) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (/^Name:\s+sleep$/m.test(status) && /^Seccomp:\s+2$/m.test(status)) return pid;
      } catch {}
    }
    return undefined;
  }

  it('finds the filter it was given, identical to the .bpf, and leaves the process running', async () => {
    const pid = sleeper()!;
    const r = await profile(['inspect', '--against', bpf, String(pid)]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^pid ${pid}: seccomp filter, 1 filter, no_new_privs on`));
    expect(r.stdout).toMatch(/allows \d+ on x86_64/);
    expect(r.stdout).toContain('identical: the installed filters decide every syscall as it does');
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^State:\s+S/m);
  });

  it('names what differs from another profile, and exits 1', async () => {
    const r = await profile(['inspect', '--against', other, String(sleeper()!)]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/~ x86_64 clock_nanosleep: ALLOW → KILL_PROCESS/);
  });

  it('reports an unfiltered process and refuses a bad target with one line', async () => {
    const self = await profile(['inspect', String(process.pid)]);
    expect(self.stdout).toMatch(/seccomp disabled, 0 filters/);
    const none = await profile(['inspect', '999999999']);
    expect(none.exitCode).toBe(EXIT.noInput);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect((await profile(['inspect', '--runtime', 'crun', '1'])).exitCode).toBe(EXIT.usage);
  });
});
