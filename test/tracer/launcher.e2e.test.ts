// Both launchers (the native one built from launcher.c, and the Node fallback forced with
// SECCOMP_PROFILER_LAUNCHER=node) must hand the workload the same process: stdio open, their own
// fds gone, default SIGPIPE/SIGXFSZ, empty signal mask, no_new_privs, the filter installed, the right
// cwd, argv and env (a job larger than one pipe buffer (64 KiB) included), the fds and ignored
// signals it is told to pass on, bytes that are not UTF-8 unchanged, and the same errors.
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABS, K, LD, RET, stmt, W } from '../../src/generator/bpf/types.js';
import { validateProgram } from '../../src/generator/bpf/validate.js';
import { prepareTrace, trace } from '../../src/tracer/index.js';
import { needs } from '../support/host.js';
import { envInBlock } from './support.js';

const NATIVE = fileURLToPath(new URL('../../dist/src/tracer/launcher', import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-launcher-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the build compiled the native launcher (a C compiler is installed here)', needs('gcc'), () => {
  expect(existsSync(NATIVE)).toBe(true);
});

// What a process sees of itself, minus what only the tracer sets (no_new_privs, seccomp).
const PROBE = `grep -E '^(SigBlk|SigIgn|NoNewPrivs|Seccomp):' /proc/self/status; pwd; printf '%s|' "$@"; echo;
for fd in 0 1 2 3 4; do [ -e /proc/self/fd/$fd ] && printf 'fd%s ' $fd; done; echo; printf '%s' "$BIG" | wc -c`;

describe.each(['native', 'node'] as const)('the %s launcher', needs('ptrace', 'seccomp'), (kind) => {
  envInBlock('SECCOMP_PROFILER_LAUNCHER', kind === 'node' ? 'node' : undefined);

  it('starts the workload as a shell would, with no_new_privs and the filter installed', async () => {
    const outFile = join(dir, `probe-${kind}.txt`);
    const big = 'x'.repeat(100_000);
    const argv = ['sh', '-c', `exec >${outFile} 2>&1; ${PROBE}`, 'probe', 'two words', ''];
    const env = { PATH: process.env.PATH, BIG: big };
    const r = await trace({ argv, cwd: dir, env });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    const traced = readFileSync(outFile, 'utf8');
    // The same probe untraced (execa/libuv also resets dispositions and the mask).
    const plain = await execa('sh', ['-c', PROBE, 'probe', 'two words', ''], {
      cwd: dir,
      env,
      extendEnv: false,
    });
    const lines = traced.trimEnd().split('\n');
    expect(lines).toContain('NoNewPrivs:\t1');
    expect(lines).toContain('Seccomp:\t2');
    const withoutTracerOnly = lines.filter((l) => !/^(NoNewPrivs|Seccomp):/.test(l));
    expect(withoutTracerOnly).toEqual(
      plain.stdout.split('\n').filter((l) => !/^(NoNewPrivs|Seccomp):/.test(l)),
    );
    expect(withoutTracerOnly).toContain('SigBlk:\t0000000000000000');
    expect(withoutTracerOnly).toContain('SigIgn:\t0000000000000000');
    expect(withoutTracerOnly).toContain(dir);
    expect(withoutTracerOnly).toContain('two words||');
    expect(withoutTracerOnly).toContain('100000');
    // stdio open (the exec redirected them to the file, so 0 stays the test's stdin), fds 3/4 gone.
    expect(withoutTracerOnly.find((l) => l.startsWith('fd'))?.trim()).toBe('fd0 fd1 fd2');
    expect(r.recording.syscalls.x86_64?.execve?.count).toBeGreaterThanOrEqual(2);
  });

  it('passes on the fds it is told to, at the same numbers, and closes stdio it is not', async () => {
    const outFile = join(dir, `fds-${kind}.txt`);
    writeFileSync(join(dir, 'payload'), 'payload\n');
    // Opened close-on-exec, as Node opens everything; dash redirects only fds 0-9, so read it by path.
    const payload = openSync(join(dir, 'payload'), 'r');
    try {
      const script = `l=; for f in /proc/self/fd/*; do [ -e "$f" ] && l="$l \${f##*/}"; done
        { cat /proc/self/fd/${payload}; echo $l; } > ${outFile}`;
      const r = await trace({
        argv: ['sh', '-c', script],
        inherit: { fds: [1, 2, payload], ignoredSignals: [] },
      });
      expect(r.outcome).toEqual({ status: 'exited', code: 0 });
      const [first, listed] = readFileSync(outFile, 'utf8').split('\n');
      expect(first).toBe('payload');
      // fd 0 was not passed on, so it is closed (not /dev/null); the launcher's own fds are gone.
      expect(
        listed
          ?.trim()
          .split(' ')
          .map(Number)
          .sort((a, b) => a - b),
      ).toEqual([1, 2, payload]);
    } finally {
      closeSync(payload);
    }
  });

  it('starts the workload with the ignored signals it is told to, every other one default', async () => {
    const outFile = join(dir, `sigign-${kind}.txt`);
    const r = await trace({
      argv: ['sh', '-c', `grep SigIgn /proc/self/status > ${outFile}`],
      inherit: { fds: [0, 1, 2], ignoredSignals: [1, 3, 33] },
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    // SIGHUP (bit 0), SIGQUIT (bit 2), and 33 (bit 32): nothing of Node's (PIPE, XFSZ) or ours (USR1).
    expect(readFileSync(outFile, 'utf8').trim()).toBe('SigIgn:\t0000000100000005');
  });

  it('passes argv, env and cwd bytes that are not UTF-8 unchanged', async () => {
    const outFile = join(dir, `bytes-${kind}.txt`);
    const odd = Buffer.from([0x61, 0xff, 0xfe, 0x80, 0x62]);
    const where = Buffer.concat([Buffer.from(`${dir}/dir-`), odd, Buffer.from(`-${kind}`)]);
    mkdirSync(where);
    const script = `{ printf '%s' "$1"; printf '|%s|' "$ODD"; pwd -P; } | od -An -tx1 > ${outFile}`;
    const r = await trace({
      argv: ['sh', '-c', script, 'x', odd],
      env: [`PATH=${process.env.PATH}`, Buffer.concat([Buffer.from('ODD='), odd])],
      cwd: where,
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    const hex = readFileSync(outFile, 'utf8').split(/\s+/).filter(Boolean).join('');
    const want = Buffer.concat([odd, Buffer.from('|'), odd, Buffer.from('|'), where, Buffer.from('\n')]);
    expect(hex).toBe(want.toString('hex'));
    // The recording keeps the exact bytes beside the readable text.
    const run = r.recording.runs[0]!;
    expect(run.command[4]).toBe('a\uFFFD\uFFFD\uFFFDb');
    expect(Buffer.from(run.commandBytes![4]!, 'base64').equals(odd)).toBe(true);
    expect(Buffer.from(run.cwdBytes!, 'base64').equals(where)).toBe(true);
  });

  it('a script whose #! interpreter does not exist → NOT_FOUND, naming the interpreter', async () => {
    const script = join(dir, `missing-interp-${kind}`);
    writeFileSync(script, '#!/no/such/interpreter -x\n');
    chmodSync(script, 0o755);
    await expect(trace({ argv: [script] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      exitCode: 127,
      message: `${script}: bad interpreter: /no/such/interpreter: no such file (its #! line)`,
    });
  });

  it('a script without #! → NOT_EXECUTABLE (execve ENOEXEC in the launcher)', async () => {
    const script = join(dir, `no-shebang-${kind}`);
    writeFileSync(script, 'echo hi\n');
    chmodSync(script, 0o755);
    await expect(trace({ argv: [script] })).rejects.toMatchObject({
      code: 'NOT_EXECUTABLE',
      message: `${script}: cannot execute (ENOEXEC)`,
    });
  });

  it('a filter the kernel refuses → UNAVAILABLE (seccomp EINVAL in the launcher)', async () => {
    // Valid classic BPF that seccomp refuses: a load past the end of struct seccomp_data.
    const filter = validateProgram([stmt(LD | W | ABS, 64), stmt(RET | K, 0x7fff0000)]);
    await expect(trace({ argv: ['true'], filter })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('prepareTrace()', needs('ptrace', 'seccomp'), () => {
  it('boots the tracer thread ahead; the next trace() uses it and later ones boot their own', async () => {
    prepareTrace();
    prepareTrace(); // idempotent
    const first = await trace({ argv: ['true'] });
    const second = await trace({ argv: ['sh', '-c', 'exit 4'] });
    expect(first.outcome).toEqual({ status: 'exited', code: 0 });
    expect(second.outcome).toEqual({ status: 'exited', code: 4 });
    expect(first.recording.syscalls.x86_64?.execve?.count).toBe(1);
  });

  it('an unused prepared thread does not keep the process alive', async () => {
    const warm = fileURLToPath(new URL('../../dist/src/tracer/warm.js', import.meta.url));
    const r = await execa(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `(await import(${JSON.stringify(warm)})).prepareTrace(); console.log('ok')`,
      ],
      { timeout: 20_000, reject: false },
    );
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('ok');
  });
});
