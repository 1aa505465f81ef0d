// The eBPF backend as users meet it: --backend ebpf|auto on the CLI, the one-line refusal when
// bpf() is not allowed, a workload started exactly as a shell would start it (no no_new_privs, no
// filter), bounded argument lists, and the library session a container wrapper would use.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ARG_VALUES } from '../../../src/recording/arg-specs.js';
import { buildRecording } from '../../../src/recording/builder.js';
import { readRecording } from '../../../src/recording/io.js';
import { traceEbpf } from '../../../src/tracer/ebpf/record.js';
import { EbpfRecorder } from '../../../src/tracer/ebpf/recorder.js';
import { needs } from '../../support/host.js';
import { CLI, envInBlock, realPython, recordCli } from '../support.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ebpf-backend-'));
  chmodSync(dir, 0o777);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const out = () => join(dir, `rec-${n++}.json`);

/** `setpriv` (util-linux) to user nobody: how root tests what a non-root user sees. */
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

describe('as a user without CAP_BPF', needs('root', 'ptrace', 'seccomp'), () => {
  it('--backend ebpf refuses in one line, exit 69, before the workload runs', async () => {
    const marker = join(dir, 'ran');
    const r = await execa(
      AS_NOBODY[0]!,
      [
        ...AS_NOBODY.slice(1),
        process.execPath,
        CLI,
        'record',
        '--backend',
        'ebpf',
        '-o',
        out(),
        'touch',
        marker,
      ],
      { reject: false, stdin: 'ignore' },
    );
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toBe(
      'profile: eBPF backend unavailable: bpf() refused (EPERM): the eBPF backend needs root (CAP_BPF and CAP_PERFMON)',
    );
    expect(() => readFileSync(marker)).toThrow();
  });

  it('--backend auto falls back to ptrace and says why', async () => {
    const output = out();
    const r = await execa(
      AS_NOBODY[0]!,
      [
        ...AS_NOBODY.slice(1),
        process.execPath,
        CLI,
        'record',
        '-q',
        '--backend',
        'auto',
        '-o',
        output,
        'true',
      ],
      { reject: false, stdin: 'ignore' },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(
      /^profile: recorded with the ptrace backend \(eBPF backend unavailable: .*EPERM/,
    );
    expect(readRecording(output).runs[0]?.backend).toBe('ptrace');
  });
});

describe('with eBPF', needs('ebpf'), () => {
  it('--backend auto picks eBPF and says so; the run records its backend', async () => {
    const output = out();
    const r = await execa(
      process.execPath,
      [CLI, 'record', '-q', '--backend', 'auto', '-o', output, 'true'],
      {
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('profile: recorded with the ebpf backend');
    const rec = readRecording(output);
    expect(rec.runs[0]?.backend).toBe('ebpf');
    expect(rec.runs[0]).not.toHaveProperty('notes');
    expect(rec.executables).toHaveProperty(['/usr/bin/true']);
    expect(rec.syscalls.x86_64?.execve?.count).toBe(1);
  });

  describe.each(['native', 'node'] as const)('the %s launcher', (kind) => {
    envInBlock('SECCOMP_PROFILER_LAUNCHER', kind === 'node' ? 'node' : undefined);

    it('starts the workload exactly as a shell would: no no_new_privs, no filter, same fds and signals', async () => {
      const probe = `grep -E '^(SigBlk|SigIgn|NoNewPrivs|Seccomp):' /proc/self/status; pwd; printf '%s|' "$@"; echo;
for fd in 0 1 2 3 4; do [ -e /proc/self/fd/$fd ] && printf 'fd%s ' $fd; done; echo`;
      const outFile = join(dir, `probe-${kind}.txt`);
      const env = { PATH: process.env.PATH };
      const r = await traceEbpf({
        argv: ['sh', '-c', `exec >${outFile} 2>&1; ${probe}`, 'p', 'a b'],
        cwd: dir,
        env,
      });
      expect(r.outcome).toEqual({ status: 'exited', code: 0 });
      const plain = await execa('sh', ['-c', probe, 'p', 'a b'], { cwd: dir, env, extendEnv: false });
      expect(readFileSync(outFile, 'utf8').trimEnd()).toBe(plain.stdout.trimEnd());
      expect(plain.stdout).toContain('NoNewPrivs:\t0');
      // The launcher's own syscalls are not recorded; its execve of the workload is.
      expect(r.recording.executables).not.toHaveProperty(['(launcher)']);
      expect(Object.keys(r.recording.executables)).toEqual(['/usr/bin/dash', '/usr/bin/grep']);
    });
  });

  it('argument lists stop at MAX_ARG_VALUES and say so, with the same values as ptrace', async () => {
    const python = await realPython();
    const script = `import fcntl, os\nfd = os.open('/dev/null', os.O_RDONLY)\nfor i in range(${MAX_ARG_VALUES + 44}):\n  try: fcntl.ioctl(fd, 0x7300 + i)\n  except OSError: pass`;
    const recs = [];
    for (const backend of ['ptrace', 'ebpf']) {
      const output = out();
      const r = await recordCli([python, '-c', script], { output, flags: ['--backend', backend] });
      expect(r.exitCode).toBe(0);
      recs.push(readRecording(output));
    }
    const [viaPtrace, viaEbpf] = recs;
    expect(viaEbpf?.args.x86_64?.ioctl?.truncated).toBe(true);
    expect(viaEbpf?.args.x86_64?.ioctl?.values).toHaveLength(MAX_ARG_VALUES);
    expect(viaEbpf?.args.x86_64?.ioctl).toEqual(viaPtrace?.args.x86_64?.ioctl);
  });

  it('a session follows a process that already runs (the container-wrapper use) and its children', async () => {
    const python = await realPython();
    // Waits for a line on stdin, then makes a child and exits: we follow it while it waits.
    const child = spawn(
      python,
      ['-c', 'import os, sys\nsys.stdin.readline()\nos.system("/bin/true")\nos.getppid()'],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    const recorder = EbpfRecorder.open();
    try {
      await new Promise((r) => setTimeout(r, 300));
      recorder.follow(child.pid!, 'running');
      expect(recorder.followed()).toEqual([child.pid]);
      child.stdin.end('go\n');
      await new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 100 && recorder.alive(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(recorder.alive()).toBe(false);
      const { raw, notes } = recorder.collect(undefined);
      expect(notes).toEqual([]);
      const rec = buildRecording(
        {
          command: [python],
          cwd: dir,
          startedAt: new Date(),
          endedAt: new Date(),
          outcome: { status: 'exited', code: 0 },
          backend: 'ebpf',
        },
        raw,
      );
      expect(rec.executables[realpathSync(python)]?.x86_64?.getppid).toBe(1);
      expect(rec.executables['/usr/bin/dash']).toBeDefined();
      expect(rec.execs.map((e) => e.path)).toEqual(
        expect.arrayContaining(['/usr/bin/dash', '/usr/bin/true']),
      );
      // python, and sh (which runs true in a child or in place: dash's choice)
      expect(rec.runs[0]?.processes).toBeGreaterThanOrEqual(2);
    } finally {
      recorder.close();
      child.kill();
    }
  });

  it('inside a PID namespace (pids the programs would misread) it refuses, and auto falls back', async () => {
    const unshare = ['unshare', '--pid', '--fork', '--mount-proc', process.execPath, CLI, 'record', '-q'];
    const refused = await execa(
      unshare[0]!,
      [...unshare.slice(1), '--backend', 'ebpf', '-o', out(), 'true'],
      {
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(refused.exitCode).toBe(69);
    expect(refused.stderr).toMatch(
      /^profile: eBPF backend unavailable: the profiler runs in a PID namespace \(pid 1 here, \d+ to the kernel\)/,
    );
    const output = out();
    const auto = await execa(unshare[0]!, [...unshare.slice(1), '--backend', 'auto', '-o', output, 'true'], {
      reject: false,
      stdin: 'ignore',
    });
    expect(auto.exitCode).toBe(0);
    expect(readRecording(output).runs[0]?.backend).toBe('ptrace');
  });

  it('following a pid that does not exist is a clean error', () => {
    const recorder = EbpfRecorder.open();
    try {
      expect(() => recorder.follow(2 ** 22 + 7, 'running')).toThrow(/process 4194311 does not exist/);
    } finally {
      recorder.close();
    }
  });
});
