// `profile generate` and `profile lint` on what issue 9 is about: profiles naming other ABIs' syscalls
// load, numbers without a name are never dropped, newer syscalls get ENOSYS, and names a consumer's
// libseccomp would skip are warned about.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.js';
import { PODMAN_DEFAULT } from '../../support/fixtures.js';
import { makeRecording } from '../policy/fixtures.js';

const CLI = fileURLToPath(new URL('../../../dist/bin/profile.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'profile-knowledge-'));
const run = (args: string[]) => execa('node', [CLI, ...args], { reject: false });

/** A recording made on `kernel` that saw `names` on x86_64, plus `extra` entries. */
function recordingFile(
  name: string,
  names: string[],
  kernel: string,
  extra: Record<string, { nr: number; count: number }> = {},
): string {
  const rec = makeRecording({ syscalls: { x86_64: names } });
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      ...rec,
      runs: rec.runs.map((r) => ({ ...r, kernel })),
      syscalls: { x86_64: { ...rec.syscalls.x86_64, ...extra } },
    }),
  );
  return path;
}

describe('profiles that name syscalls of other ABIs', () => {
  it("podman's default profile loads; the file and lint say what was skipped", async () => {
    const r = await run(['generate', PODMAN_DEFAULT, '--format', 'docker', '--libseccomp', 'none']);
    expect(r.exitCode, r.stderr).toBe(0);
    const notes: string[] = JSON.parse(r.stdout)['x-seccomp-profiler'].notes;
    expect(notes[0]).toBe(
      'no syscall on x86_64, i386, x32, so skipped there: pciconfig_iobase pciconfig_read pciconfig_write recv send syscall',
    );
    const bpf = await run(['generate', PODMAN_DEFAULT, '--format', 'bpf', '-o', join(dir, 'podman.bpf')]);
    expect(bpf.exitCode).toBe(0);
    expect(bpf.stderr).toContain(
      'profile: note: no syscall on x86_64, i386, x32, so skipped there: pciconfig_iobase',
    );
    const lint = await run(['lint', '--libseccomp', 'none', PODMAN_DEFAULT]);
    expect(lint.stdout).toContain(
      ': note: other-abi-name: no syscall on x86_64, i386, x32, so skipped there',
    );
  });

  it('a name that is a syscall nowhere is still an error, with a suggestion', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [{ names: ['pciconfig_iobas'], action: 'SCMP_ACT_ALLOW' }],
      }),
    );
    const r = await run(['generate', bad]);
    expect(r.exitCode).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/unknown syscall `pciconfig_iobas` \(did you mean pciconfig_iobase/);
  });
});

describe('numbers without a name', () => {
  const rec = recordingFile('unnamed.json', ['read', 'exit_group'], '6.18.0', {
    syscall_500: { nr: 500, count: 2 },
  });

  it('fail the formats that name syscalls with exit 65, naming the number and the formats that carry it', async () => {
    for (const format of ['docker', 'oci', 'k8s', 'systemd']) {
      const r = await run(['generate', rec, '--format', format]);
      expect(r.exitCode, format).toBe(EXIT.badInput);
      expect(r.stderr).toBe(
        `profile: syscall number without a name: x86_64 500 (allow). A ${format} profile allows syscalls by name only, so it would refuse it; use --format bpf, bpf-c, disasm or libseccomp, which carries it by number`,
      );
    }
  });

  it('stay in the formats that carry numbers', async () => {
    const r = await run(['generate', rec, '--format', 'disasm']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/if \(A == 0x1f4\)|if \(A >= 0x1f4\)|0x000001f4/);
  });
});

describe('syscalls newer than the recorded kernel', () => {
  const rec = recordingFile('on-6.1.json', ['fchmodat', 'exit_group'], '6.1.0-37-amd64');

  it('get ENOSYS, and the file says so; --no-enosys-newer turns it off', async () => {
    const r = await run(['generate', rec, '--libseccomp', 'none']);
    const json = JSON.parse(r.stdout);
    const enosys = json.syscalls.find((s: { errnoRet?: number }) => s.errnoRet === 38);
    expect(enosys.names).toEqual(expect.arrayContaining(['cachestat', 'fchmodat2', 'futex_wake', 'mseal']));
    expect(json['x-seccomp-profiler'].notes.join('\n')).toMatch(
      /introduced after Linux 6\.1 .*return ENOSYS/,
    );
    expect(json['x-seccomp-profiler'].notes.join('\n')).toMatch(
      /numbers above the syscall table .*not here: a docker profile cannot express ranges/,
    );
    const off = JSON.parse(
      (await run(['generate', rec, '--no-enosys-newer', '--libseccomp', 'none'])).stdout,
    );
    expect(off.syscalls.some((s: { errnoRet?: number }) => s.errnoRet === 38)).toBe(false);
    expect(off['x-seccomp-profiler'].options.enosysNewer).toBe('false');
  });

  it('a raw filter with the range converts to a format of names only with --lossy', async () => {
    const bpf = join(dir, 'on-6.1.bpf');
    expect((await run(['generate', rec, '--format', 'bpf', '-o', bpf])).exitCode).toBe(0);
    const refused = await run(['generate', bpf, '--format', 'docker', '--libseccomp', 'none']);
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.stderr).toMatch(
      /x86_64 syscall_472: the filter ERRNO\(38\) ENOSYS, KILL_PROCESS in the output/,
    );
    const lossy = await run(['generate', bpf, '--format', 'docker', '--lossy', '--libseccomp', 'none']);
    expect(lossy.exitCode, lossy.stderr).toBe(0);
  });
});

describe('names an older libseccomp would skip', () => {
  const rec = recordingFile('fchmodat2.json', ['read', 'fchmodat2', 'exit_group'], '6.18.0');

  it('generate warns for a target version, not for a newer one, and never for formats of numbers', async () => {
    const old = await run(['generate', rec, '--libseccomp', '2.5.4']);
    expect(old.exitCode).toBe(0);
    expect(old.stderr).toContain(
      "profile: warning: fchmodat2 needs libseccomp ≥ 2.5.5; libseccomp 2.5.4 (judged by that release's table) skips it, so the profile's allow gives way to the default action kill-process and the workload dies when it makes it",
    );
    expect((await run(['generate', rec, '--libseccomp', '2.6.0'])).stderr).not.toContain('warning');
    expect(
      (await run(['generate', rec, '--libseccomp', '2.5.4', '--format', 'bpf', '-o', join(dir, 'f.bpf')]))
        .stderr,
    ).not.toContain('warning');
    const bad = await run(['generate', rec, '--libseccomp', '2.x']);
    expect(bad.exitCode).toBe(EXIT.usage);
    expect(bad.stderr).toBe(
      'profile: Expected `--libseccomp` to be one of a version like 2.5.4, auto, none, got `2.x`',
    );
  });

  it('lint reports it, and --strict fails on it', async () => {
    const docker = join(dir, 'fchmodat2.docker.json');
    // No runtime set: runc's and crun's own mmap calls would make lint flag W+X.
    writeFileSync(docker, (await run(['generate', rec, '--runtime', 'none', '--libseccomp', 'none'])).stdout);
    const old = await run(['lint', '--strict', '--libseccomp', '2.5.4', docker]);
    expect(old.stdout).toContain(': libseccomp-skips: fchmodat2 needs libseccomp ≥ 2.5.5');
    expect(old.exitCode).toBe(EXIT.failure);
    const fresh = await run(['lint', '--strict', '--libseccomp', '2.5.5', docker]);
    expect(fresh.stdout).toContain('no dangerous allowances found');
    expect(fresh.exitCode).toBe(0);
    expect(readFileSync(docker, 'utf8')).toContain('fchmodat2');
  });
});
