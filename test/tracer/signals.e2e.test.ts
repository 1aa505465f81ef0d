// Signals as a terminal user expects them: a stop signal reaches the workload once (not twice when
// the terminal already sent it to the whole group), its shutdown is recorded, a second one ends it;
// dispositions the profiler inherited ignored are the workload's too (nohup works); and nothing the
// workload sends the profiler (SIGUSR1) opens Node's inspector.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/io.js';
import { needs } from '../support/host.js';
import { backendCaps, CLI, fixture, RECORD_BACKENDS, realPython, recordArgs } from './support.js';

let dir: string;
let n = 0;
const out = (name = 'rec') => join(dir, `${name}-${n++}.json`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-signals-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `cmd`, waits for `text` on its stdout (or its end), then sends each of `signals` in turn. */
async function signalWhenReady(
  cmd: readonly string[],
  text: string,
  signals: readonly NodeJS.Signals[],
  options: { env?: NodeJS.ProcessEnv } = {},
) {
  const child = execa(cmd[0]!, cmd.slice(1), { reject: false, stdin: 'ignore', ...options });
  const ready = await new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve(true);
    });
    void child.finally(() => resolve(false));
  });
  expect(ready).toBe(true);
  for (const sig of signals) {
    child.kill(sig);
    await new Promise((r) => setTimeout(r, 300));
  }
  const r = await child;
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

for (const backend of RECORD_BACKENDS) {
  const flags = ['--backend', backend];
  describe(
    `${backend}: a stop signal reaches the workload once, and its shutdown is recorded`,
    needs(...backendCaps(backend, ['python3', 'ptrace', 'seccomp'])),
    () => {
      it('`kill -INT <profiler>`: the workload’s SIGINT handler runs, writes its file and exits 0', async () => {
        const python = await realPython();
        const output = out();
        const count = join(dir, `count-kill-${backend}.txt`);
        const r = await signalWhenReady(
          [
            process.execPath,
            ...recordArgs(['--', python, fixture('sigint_counter.py'), count], { output, flags }),
          ],
          'ready',
          ['SIGINT'],
        );
        expect(r.exitCode, r.stderr).toBe(0);
        expect(readFileSync(count, 'utf8')).toBe('1');
        const rec = readRecording(output);
        expect(rec.runs[0]?.exit).toEqual({ status: 'exited', code: 0 });
        expect(rec.runs[0]?.interruptedBy).toBe('SIGINT');
        expect(rec.partial).toBe(true);
        // Only the shutdown path makes these: the handler's return and the fsync of the file.
        expect(rec.syscalls.x86_64?.rt_sigreturn).toBeDefined();
        expect(rec.syscalls.x86_64?.fsync).toBeDefined();
      });

      it('Ctrl-C on a terminal (SIGINT to the whole foreground group) is delivered once, not twice', async () => {
        const python = await realPython();
        const output = out();
        const count = join(dir, `count-tty-${backend}.txt`);
        const command = `${process.execPath} ${CLI} record ${flags.join(' ')} -q -o ${output} -- ${python} ${fixture('sigint_counter.py')} ${count}`;
        const r = await execa('python3', [fixture('ctrlc.py'), command, 'ready']);
        const result = JSON.parse(r.stdout) as Record<string, unknown>;
        expect(result, String(result.output)).toMatchObject({
          started: true,
          prompt: true,
          finished: true,
          rc: '0',
        });
        expect(readFileSync(count, 'utf8')).toBe('1');
        const rec = readRecording(output);
        expect(rec.runs[0]?.exit).toEqual({ status: 'exited', code: 0 });
        expect(rec.syscalls.x86_64?.fsync).toBeDefined();
      });

      it('a terminal that hangs up (SIGHUP, then EIO on every write): the recording is written, exit 129', async () => {
        const output = out();
        const r = await execa('python3', [
          fixture('hangup.py'),
          'ready',
          CLI,
          'record',
          ...flags,
          '-o',
          output,
          '--',
          'sh',
          '-c',
          'echo ready; exec sleep 60',
        ]);
        // Node 20 aborts at exit when it cannot reset a hung-up terminal (134); we must not.
        expect(JSON.parse(r.stdout)).toEqual({ ready: true, code: 129, signal: null });
        const rec = readRecording(output);
        expect(rec.runs[0]?.exit).toEqual({ status: 'signaled', signal: 'SIGHUP', number: 1 });
        expect(rec.runs[0]?.interruptedBy).toBe('SIGHUP');
      });

      it('a second signal kills what is left: exit 130, and the run is marked interrupted', async () => {
        const output = out();
        const r = await signalWhenReady(
          [
            process.execPath,
            ...recordArgs(['--', 'sh', '-c', `trap '' INT; echo ready; sleep 60`], { output, flags }),
          ],
          'ready',
          ['SIGINT', 'SIGINT'],
        );
        expect(r.exitCode, r.stderr).toBe(130);
        const run = readRecording(output).runs[0]!;
        expect(run.exit).toEqual({ status: 'interrupted' });
        expect(run.ended?.map((p) => p.executable)).toEqual(['/usr/bin/sleep']);
      });
    },
  );

  describe(
    `${backend}: ignored dispositions the profiler inherited are the workload’s`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp'])),
    () => {
      // Through the executable (its sh lines note them): Node resets inherited SIG_IGN at start-up.
      const BIN = CLI;

      it('`nohup profile record -- sh -c "grep SigIgn /proc/self/status"` shows SIGHUP ignored', async () => {
        const r = await execa(
          'nohup',
          [BIN, 'record', ...flags, '-q', '-o', out(), '--', 'sh', '-c', 'grep SigIgn /proc/self/status'],
          {
            reject: false,
            stdin: 'ignore',
          },
        );
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toBe('SigIgn:\t0000000000000001');
      });

      it("`trap '' INT QUIT` before profile: the workload starts with both ignored", async () => {
        const script = `trap '' INT QUIT; exec ${BIN} record ${flags.join(' ')} -q -o ${out()} -- sh -c 'grep SigIgn /proc/self/status'`;
        const r = await execa('sh', ['-c', script], { reject: false, stdin: 'ignore' });
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toBe('SigIgn:\t0000000000000006');
      });

      it('under nohup, SIGHUP to the profiler neither ends the run nor loses the recording', async () => {
        const output = out();
        const r = await signalWhenReady(
          [
            'nohup',
            BIN,
            'record',
            ...flags,
            '-q',
            '-o',
            output,
            '--',
            'sh',
            '-c',
            'echo ready; sleep 1; echo done',
          ],
          'ready',
          ['SIGHUP'],
        );
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toBe('ready\ndone');
        const run = readRecording(output).runs[0]!;
        expect(run.exit).toEqual({ status: 'exited', code: 0 });
        expect(run.interruptedBy).toBeUndefined();
      });
    },
  );
}

/** Listening TCP sockets (v4 and v6) as inode numbers, from a /proc/net/tcp{,6} dump. */
function listeningInodes(dump: string): Set<string> {
  const inodes = new Set<string>();
  for (const line of dump.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A') inodes.add(f[9]!);
  }
  return inodes;
}

/** Socket inodes among `ls -l /proc/PID/fd` lines. */
function socketInodes(listing: string): Set<string> {
  return new Set([...listing.matchAll(/socket:\[(\d+)\]/g)].map((m) => m[1]!));
}

// The workload signals its parent (the profiler), then looks at what the profiler holds and what
// listens. A listener among the profiler's sockets is the inspector (9229 or any other port).
const PROBE = `kill -USR1 $PPID; sleep 1; ls -l /proc/$PPID/fd; echo ==; cat /proc/net/tcp /proc/net/tcp6`;

function inspectorOpened(stdout: string): boolean {
  const [fds = '', tcp = ''] = stdout.split('\n==\n');
  const listening = listeningInodes(tcp);
  return [...socketInodes(fds)].some((inode) => listening.has(inode));
}

describe('the workload cannot reach into the profiler', needs('ptrace', 'seccomp'), () => {
  it('the probe sees an inspector open: a plain node process given SIGUSR1 (the control)', async () => {
    // Port 0: any free port, so the control does not depend on 9229 being free.
    const node = execa(process.execPath, ['--inspect-port=0', '-e', 'setTimeout(() => {}, 20000)'], {
      reject: false,
    });
    await new Promise((r) => setTimeout(r, 500));
    const probe = await execa('sh', ['-c', PROBE.replaceAll('$PPID', String(node.pid))]);
    node.kill('SIGKILL');
    await node;
    expect(inspectorOpened(probe.stdout)).toBe(true);
  });

  /** Runs the probe under `profile ARGS`: the profiler must open no listening socket. */
  async function expectNoInspector(args: readonly string[]): Promise<void> {
    const r = await execa(process.execPath, [CLI, ...args, '--', 'sh', '-c', PROBE], {
      reject: false,
      stdin: 'ignore',
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('anon_inode:[eventpoll]'); // the probe did list the profiler's fds
    expect(inspectorOpened(r.stdout)).toBe(false);
    expect(r.stderr).not.toContain('Debugger listening');
  }

  it('`kill -USR1 $PPID` from a workload under record opens no port', async () => {
    await expectNoInspector(['record', '-q', '-o', out()]);
  });

  it('`kill -USR1 $PPID` from a workload under enforce opens no port', async () => {
    const allowAll = join(dir, 'allow-all.json');
    await execa('sh', ['-c', `echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}' > ${allowAll}`]);
    await expectNoInspector(['enforce', '--profile', allowAll]);
  });

  it(
    '`kill -USR1 $PPID` from a workload under record --backend ebpf opens no port',
    needs('ebpf'),
    async () => {
      await expectNoInspector(['record', '--backend', 'ebpf', '-q', '-o', out()]);
    },
  );
});
