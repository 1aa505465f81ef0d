// `profile show` and the text reports print what a recording holds without letting its strings
// reach the terminal raw: the run line is shell-quoted (paste it and the same bytes run), argument
// values are named as the enforcer names them, and `check` names fcntl commands.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { formatCheck } from '../../src/enforcer/report.js';
import { violationsFromRecording } from '../../src/enforcer/violations.js';
import { argumentRows, runLine, showJson } from '../../src/recording/show.js';
import { profile, recordAndGenerate } from '../enforcer/support.js';
import { needs } from '../support/host.js';
import { HOSTILE_ARGV, HOSTILE_CWD, hostileRecording, writeHostileRecording } from '../support/hostile.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-show-'));
/** Anything a terminal would act on: C0 and C1 controls (newline aside), separators, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('profile show', () => {
  it('quotes the run line for the shell: bash reads back the recorded argv and cwd', async () => {
    const line = runLine(hostileRecording().runs[0]!);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toMatch(RAW_CONTROL);
    const m = /^run: (.*) {2}\(cwd (.*?), 2026-/.exec(line);
    expect(m).not.toBeNull();
    // The pasted command and cwd, as bash sees them: each word back, NUL-separated.
    const r = await execa('bash', ['-c', `printf '%s\\0' ${m![1]} ${m![2]}`], {
      encoding: 'buffer',
      env: { LC_ALL: 'C.UTF-8' },
    });
    const words = Buffer.from(r.stdout).toString('latin1').split('\0').slice(0, -1);
    const bytes = (s: string) =>
      Buffer.concat(
        s
          .split(/((?<![\ud800-\udbff])[\udc80-\udcff])/)
          .map((p) =>
            /^[\udc80-\udcff]$/.test(p) ? Buffer.from([p.charCodeAt(0) - 0xdc00]) : Buffer.from(p),
          ),
      ).toString('latin1');
    // A NUL ends a word for bash; no real path or argument holds one (the kernel's are C strings).
    expect(words).toEqual([...HOSTILE_ARGV, HOSTILE_CWD.split('\0')[0]!].map(bytes));
  });

  it('quotes the exact bytes when the recording has them (commandBytes, cwdBytes)', async () => {
    const run = {
      ...hostileRecording().runs[0]!,
      command: ['/bin/echo', '\ufffd'],
      commandBytes: [
        Buffer.from('/bin/echo').toString('base64'),
        Buffer.from([0x61, 0xff]).toString('base64'),
      ],
      cwd: '/tmp/\ufffd',
      cwdBytes: Buffer.from([0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xfe]).toString('base64'),
    };
    const line = runLine(run);
    expect(line).toMatch(/^run: \/bin\/echo \$'a\\xff' {2}\(cwd \$'\/tmp\/\\xfe', /);
    const r = await execa('bash', ['-c', "printf '%s' $'a\\xff'"], { encoding: 'buffer' });
    expect([...Buffer.from(r.stdout)]).toEqual([0x61, 0xff]);
  });

  it('names the recorded argument values as the enforcer does', () => {
    const rows = argumentRows(hostileRecording());
    expect(rows.map((r) => `${r.syscall} ${r.values} ${r.count}`)).toEqual([
      'fcntl cmd=F_DUPFD_CLOEXEC 1',
      'ioctl request=TCGETS 1',
      'socket domain=AF_INET type=SOCK_STREAM|SOCK_CLOEXEC 1',
    ]);
    const json = showJson(hostileRecording());
    expect(json.args.x86_64?.fcntl?.values).toEqual([
      { count: 1, fields: { cmd: { value: 0x406, name: 'F_DUPFD_CLOEXEC' } } },
    ]);
  });

  it('the CLI prints tables and JSON with every hostile string escaped', async () => {
    const path = writeHostileRecording(dir);
    const text = await profile(['show', path]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).not.toMatch(RAW_CONTROL);
    expect(text.stdout).toContain('request=TCGETS');
    expect(text.stdout).toContain("$'x\\n[Service]\\nExecStartPre=/nonexistent/pwned-cwd\\r\\n");
    expect(text.stdout).toContain('/bin/\\x1b[31mred');
    const json = await profile(['show', '--json', path]);
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.runs[0].command).toEqual(HOSTILE_ARGV);
    expect(parsed.args.x86_64.socket.values[0].fields.domain).toEqual({ value: 2, name: 'AF_INET' });
  });
});

describe('reports', () => {
  it('check names fcntl commands and escapes executable names', () => {
    const rec = hostileRecording();
    const drift = violationsFromRecording(
      { ...rec, executables: { 'evil\n\u001b[2Jexe': { x86_64: { fcntl: 1 } } } },
      'would-block',
    );
    const text = formatCheck({
      profile: { path: 'p\nrofile.json', kind: 'docker', defaultAction: 'kill-process' },
      command: ['x'],
      clean: false,
      drift,
      outcome: { status: 'exited', code: 0 } as never,
      ended: [{ pid: 7, executable: '/bin/\u001b[5mblink' }],
      exitCode: 1,
      updated: false,
    });
    expect(text).toContain('fcntl [cmd=F_DUPFD_CLOEXEC]');
    expect(text).not.toContain('cmd=0x406');
    expect(text).toContain('evil\\n\\x1b[2Jexe');
    expect(text).toContain('outside p\\nrofile.json');
    expect(text).toContain('7 /bin/\\x1b[5mblink');
    expect(text).not.toMatch(RAW_CONTROL);
  });

  it(
    '`profile check` prints F_DUPFD_CLOEXEC for a real fcntl',
    needs('ptrace', 'seccomp', 'python3'),
    async () => {
      const { outputs } = await recordAndGenerate(
        dir,
        ['/bin/true'],
        ['docker'],
        ['--args', 'strict', '--runtime', 'none'],
      );
      const script = 'import fcntl,sys; fcntl.fcntl(sys.stdout.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)';
      const r = await profile(['check', '--profile', outputs.docker!, '--', 'python3', '-c', script]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/fcntl \[[^\]]*cmd=F_DUPFD_CLOEXEC/);
      expect(r.stderr).not.toContain('cmd=0x406');
    },
  );
});
