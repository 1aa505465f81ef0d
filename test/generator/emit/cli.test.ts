// `profile generate` as users run it: the built CLI, real files, exit codes and one-line errors.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';
import { makeRecording } from '../policy/fixtures.js';

const CLI = fileURLToPath(new URL('../../../dist/bin/profile.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'profile-cli-'));
const recording = join(dir, 'rec.json');
writeFileSync(recording, JSON.stringify(makeRecording({ syscalls: { x86_64: ['read', 'write'] } })));

const profile = (args: string[]) =>
  execa('node', [CLI, 'generate', ...args], { reject: false, encoding: 'buffer' });
const text = (b: Uint8Array | string) => Buffer.from(b).toString('utf8');

describe('profile generate', () => {
  it('writes docker JSON to stdout by default', async () => {
    const r = await profile([recording]);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(text(r.stdout));
    expect(json.defaultAction).toBe('SCMP_ACT_KILL_PROCESS');
    expect(json['x-seccomp-profiler'].sources).toEqual([recording]);
  });

  it('writes -o atomically and converts between formats (moby-default → bpf → disasm)', async () => {
    const bpf = join(dir, 'moby.bpf');
    expect((await profile([MOBY_DEFAULT, '--format', 'bpf', '-o', bpf])).exitCode).toBe(0);
    expect(readFileSync(bpf).length % 8).toBe(0);
    const r = await profile([bpf, '--format', 'disasm']);
    expect(r.exitCode).toBe(0);
    expect(text(r.stdout)).toMatch(/instructions/);
  });

  it('passes the options through', async () => {
    const r = await profile([
      recording,
      '--format',
      'oci',
      '--default-action',
      'errno:EACCES',
      '--errno',
      'clone3=ENOSYS',
      '--no-baseline',
      '--runtime',
      'runc',
    ]);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(text(r.stdout));
    expect(json.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(json.defaultErrnoRet).toBe(13);
    expect(json.syscalls.find((s: { names: string[] }) => s.names.includes('clone3'))).toMatchObject({
      errnoRet: 38,
    });
    expect(json['x-seccomp-profiler'].options).toMatchObject({
      baseline: 'false',
      runtime: 'runc',
      errno: 'clone3=ENOSYS',
    });
  });

  it('evaluates Docker includes/excludes with --caps and --kernel', async () => {
    const names = async (args: string[]) => {
      const r = await profile([MOBY_DEFAULT, '--arches', 'x86_64', ...args]);
      expect(r.exitCode).toBe(0);
      const json = JSON.parse(text(r.stdout));
      return json.syscalls
        .filter((s: { action: string }) => s.action === 'SCMP_ACT_ALLOW')
        .flatMap((s: { names: string[] }) => s.names);
    };
    expect(await names([])).not.toContain('mount');
    expect(await names(['--caps', 'sys_admin'])).toContain('mount');
    expect(await names(['--kernel', '4.7'])).not.toContain('ptrace');
    expect(await names(['--kernel', '5.4'])).toContain('ptrace');
  });

  it.each([
    [
      ['--format', 'dockr'],
      EXIT.usage,
      'Expected `--format` to be one of docker, oci, k8s, bpf, bpf-c, disasm, libseccomp, systemd, got `dockr`',
    ],
    [['--args', 'all'], EXIT.usage, 'Expected `--args` to be one of none, safe, strict, got `all`'],
    [['--errno', 'clone4=ENOSYS'], EXIT.usage, 'unknown syscall `clone4`'],
  ])('rejects bad flags with one line: %j', async (args, code, message) => {
    const r = await profile([recording, ...args]);
    expect(r.exitCode).toBe(code);
    expect(text(r.stderr)).toContain(message);
    expect(text(r.stderr).trim().split('\n')).toHaveLength(1);
  });

  it('fails with one line on unreadable or bad inputs', async () => {
    const missing = await profile([join(dir, 'nope.json')]);
    expect(missing.exitCode).toBe(EXIT.noInput);
    expect(text(missing.stderr)).toMatch(/^profile: cannot read .*nope\.json: no such file$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["opne"], "action": "SCMP_ACT_ALLOW"}]}',
    );
    const r = await profile([bad]);
    expect(r.exitCode).toBe(EXIT.badInput);
    expect(text(r.stderr)).toMatch(/unknown syscall `opne` \(did you mean open/);
  });

  it('reads recording.json from the current directory when no input is named', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'profile-cli-cwd-'));
    const none = await execa('node', [CLI, 'generate'], { cwd, reject: false });
    expect(none.exitCode).toBe(EXIT.usage);
    expect(none.stderr).toBe(
      'profile: no inputs given and no recording.json here: name a recording, a profile or a BPF filter',
    );
    writeFileSync(join(cwd, 'recording.json'), readFileSync(recording));
    const r = await execa('node', [CLI, 'generate', '--format', 'systemd'], { cwd, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Sources: recording.json');
  });

  it('checks that -o is writable before doing any work', async () => {
    const out = join(dir, 'no-such-dir', 'x.json');
    const r = await profile([join(dir, 'missing-input.json'), '-o', out]);
    // the output check comes first, although the input is missing too
    expect(r.exitCode).toBe(EXIT.cantCreate);
    expect(text(r.stderr)).toMatch(/cannot write .*x\.json: directory does not exist/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to write binary bpf to a terminal', async () => {
    // `script` gives the CLI a pseudo-terminal as stdout.
    const r = await execa('script', ['-qec', `node ${CLI} generate ${recording} --format bpf`, '/dev/null'], {
      reject: false,
    });
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.stdout).toMatch(
      /refusing to write the binary bpf filter to a terminal; use -o FILE or redirect stdout/,
    );
  });
});
