// What the workload gets from the shell that started `profile` reaches it unchanged: fds at their
// numbers (a redirection, bwrap's --seccomp fd, make's jobserver, socket activation), closed stdio
// stays closed, argv bytes that are not UTF-8, a deleted working directory; and a replay of the
// stored command gets the recorded cwd as PWD. Run through the `profile` executable as a user would,
// and through `node profile.cjs`, which estimates what it inherited from what Node left.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/io.js';
import { needs } from '../support/host.js';
import { backendCaps, CLI, RECORD_BACKENDS } from './support.js';

let dir: string;
let n = 0;
const out = (name = 'rec') => join(dir, `${name}-${n++}.json`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-passthrough-'));
  writeFileSync(join(dir, 'file'), 'the file behind fd 5\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shell command line, as a user types it. */
function sh(script: string, options: { cwd?: string } = {}) {
  return execa('sh', ['-c', script], { reject: false, stdin: 'ignore', cwd: options.cwd ?? dir });
}

const STARTS = [
  ['the profile executable', CLI],
  ['node profile.cjs', `${process.execPath} ${CLI}`],
] as const;

for (const backend of RECORD_BACKENDS) {
  const flags = ['--backend', backend];
  const FLAGS = flags.join(' ');
  describe.each(STARTS)(
    `${backend}: fds through %s`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp'])),
    (_name, profile) => {
      it("`profile record -- sh -c 'cat <&5' 5<file` prints the file", async () => {
        const r = await sh(`${profile} record ${FLAGS} -q -o ${out()} -- sh -c 'cat <&5' 5<file`);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toBe('the file behind fd 5');
      });

      it('the workload sees the fds a native run sees, at the same numbers', async () => {
        const list = `l=; for f in /proc/self/fd/*; do [ -e "$f" ] && l="$l \${f##*/}"; done; echo $l`;
        const native = await sh(`sh -c '${list}' 5<file 7>/dev/null`);
        const traced = await sh(
          `${profile} record ${FLAGS} -q -o ${out()} -- sh -c '${list}' 5<file 7>/dev/null`,
        );
        expect(traced.stdout).toBe(native.stdout);
        expect(traced.stdout.split(' ')).toEqual(expect.arrayContaining(['0', '1', '2', '5', '7']));
      });

      it('a closed stdin or stdout stays closed (EBADF), not /dev/null', async () => {
        const probe = `for fd in 0 1; do [ -e /proc/self/fd/$fd ] && echo "$fd open" >&2 || echo "$fd closed" >&2; done`;
        const native = await sh(`sh -c '${probe}' <&- >&-`);
        const traced = await sh(`${profile} record ${FLAGS} -q -o ${out()} -- sh -c '${probe}' <&- >&-`);
        expect(native.stderr).toBe('0 closed\n1 closed');
        expect(traced.stderr).toBe(native.stderr);
      });

      it("the README's `bwrap --seccomp 3` pattern works through profile", needs('bwrap'), async () => {
        const allow = join(dir, 'allow.bpf');
        writeFileSync(allow, Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f])); // ret SECCOMP_RET_ALLOW
        const bwrap = `bwrap --ro-bind / / --dev /dev --proc /proc --seccomp 3 sh -c 'grep ^Seccomp: /proc/self/status'`;
        const r = await sh(`${profile} record ${FLAGS} -q -o ${out()} -- ${bwrap} 3<${allow}`);
        expect(r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('Seccomp:\t2');
      });

      it("make's jobserver fds reach a sub-make started through profile", needs('make'), async () => {
        const work = join(dir, `make-${n++}`);
        mkdirSync(work);
        // The outer make runs natively with -j2 and hands its jobserver to the recipe (the `+`); the
        // inner make, under profile, says "jobserver unavailable" when those fds did not reach it.
        writeFileSync(
          join(work, 'Makefile'),
          `outer:\n\t+${profile} record ${FLAGS} -q -o ${join(work, 'rec.json')} -- $(MAKE) -f Makefile inner\ninner: a b\na b:\n\t@echo $@\n`,
        );
        const r = await execa('make', ['-j2', '-f', 'Makefile', 'outer'], { cwd: work, reject: false });
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stderr).not.toMatch(/jobserver/);
        expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['a', 'b']));
      });
    },
  );

  describe(
    `${backend}: socket activation through profile`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp', 'python3', 'systemd-socket-activate'])),
    () => {
      it('the workload accepts on the listening socket it was handed (fd 3, LISTEN_PID its own)', async () => {
        const port = 20000 + (process.pid % 19998) + RECORD_BACKENDS.indexOf(backend);
        const server = join(dir, 'activated.py');
        writeFileSync(
          server,
          [
            'import os, socket',
            "assert os.environ['LISTEN_FDS'] == '1' and os.environ['LISTEN_PID'] == str(os.getpid())",
            's = socket.socket(fileno=3)',
            'c, _ = s.accept()',
            "c.sendall(b'activated\\n')",
            'c.close()',
          ].join('\n'),
        );
        const activate = execa(
          'systemd-socket-activate',
          [
            '-l',
            `127.0.0.1:${port}`,
            CLI,
            'record',
            ...flags,
            '-q',
            '-o',
            out(),
            '--',
            '/usr/bin/python3',
            server,
          ],
          { reject: false, stdin: 'ignore' },
        );
        // systemd-socket-activate starts the service on the first connection, as systemd does.
        let reply = '';
        for (let attempt = 0; attempt < 50 && reply === ''; attempt++) {
          reply = await new Promise<string>((resolve) => {
            const c = createConnection({ host: '127.0.0.1', port });
            let got = '';
            c.on('data', (d) => {
              got += d.toString();
            });
            c.on('end', () => resolve(got));
            c.on('error', () => setTimeout(() => resolve(''), 100));
          });
        }
        const r = await activate;
        expect(r.stderr).not.toContain('Traceback');
        expect(reply).toBe('activated\n');
        expect(r.exitCode).toBe(0);
      });
    },
  );

  describe(
    `${backend}: bytes, paths and the working directory`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp'])),
    () => {
      it('argv bytes that are not UTF-8 reach the workload unchanged, and a replay sends them again', async () => {
        const output = out();
        // printf %b writes the raw bytes into the argument; od shows what the workload got.
        const r = await sh(
          `${CLI} record ${FLAGS} -q -o ${output} -- sh -c 'printf %s "$1" | od -An -tx1' x "$(printf 'a\\377\\376b')"`,
        );
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout.trim()).toBe('61 ff fe 62');
        const run = readRecording(output).runs[0]!;
        expect(Buffer.from(run.commandBytes![4]!, 'base64')).toEqual(Buffer.from([0x61, 0xff, 0xfe, 0x62]));
        // Replaying the stored command (enforce with no command) gives the workload the same bytes.
        const allow = await sh(`${CLI} enforce --profile ${output}`);
        expect(allow.exitCode, allow.stderr).toBe(0);
        expect(allow.stdout.trim()).toBe('61 ff fe 62');
      });

      it('a deleted working directory works as it does natively (no chdir, no stack trace)', async () => {
        const probe = `sh -c 'ls; echo "ls: $?"; readlink /proc/self/cwd'`;
        const gone = `mkdir -p gone && cd gone && rmdir ../gone`;
        const native = await sh(`${gone} && ${probe}`);
        // node profile.cjs: the executable's sh lines would add dash's own "getcwd() failed" warning.
        const traced = await sh(
          `${gone} && ${process.execPath} ${CLI} record ${FLAGS} -q -o ${out()} -- ${probe}`,
        );
        expect(traced.exitCode, traced.stderr).toBe(0);
        expect(traced.stdout).toBe(native.stdout);
        expect(traced.stdout).toContain('gone (deleted)');
      });

      it('a replay sets PWD to the recorded cwd (not the caller’s)', async () => {
        const where = join(dir, `recorded-${n++}`);
        mkdirSync(where);
        const output = out();
        const rec = await sh(`${CLI} record ${FLAGS} -q -o ${output} -- sh -c 'echo "$PWD"; pwd'`, {
          cwd: where,
        });
        expect(rec.stdout).toBe(`${where}\n${where}`);
        const replay = await sh(`${CLI} enforce --profile ${output}`, { cwd: tmpdir() });
        expect(replay.exitCode, replay.stderr).toBe(0);
        expect(replay.stdout).toBe(`${where}\n${where}`);
      });

      it('a missing #! interpreter is one line and 127, as sh says it', async () => {
        const script = join(dir, 'no-interp');
        writeFileSync(script, '#!/nonexistent\n');
        chmodSync(script, 0o755);
        const native = await sh(script);
        const r = await sh(`${CLI} record ${FLAGS} -q -o ${out()} -- ${script}`);
        expect(native.exitCode).toBe(127);
        expect(r.exitCode).toBe(127);
        expect(r.stderr).toBe(
          `profile: ${script}: bad interpreter: /nonexistent: no such file (its #! line)`,
        );
      });
    },
  );
}
