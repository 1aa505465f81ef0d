// Round trips through real consumers: recorded → OCI → runc, recorded → bpf → bwrap.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { native, PYTHON, profile, recordAndGenerate, scratch } from './support.js';

const WORKLOAD = [PYTHON, '-c', 'import os, sys; print(sorted(os.listdir("/etc"))[:2], sys.version_info[0])'];

/** An OCI bundle whose rootfs is read-only bind mounts of the host's /usr and /etc. */
function bundle(dir: string, args: readonly string[], seccomp: unknown): string {
  const root = join(dir, 'bundle');
  const rootfs = join(root, 'rootfs');
  for (const d of ['usr', 'etc', 'proc', 'dev', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  for (const [link, target] of [
    ['bin', 'usr/bin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
  ]) {
    symlinkSync(target!, join(rootfs, link!));
  }
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/bin:/bin'],
      cwd: '/',
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'enforcer-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      ...['/usr', '/etc'].map((d) => ({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      seccomp,
    },
  };
  writeFileSync(join(root, 'config.json'), JSON.stringify(config, null, 2));
  return root;
}

describe('consumers', () => {
  it('recorded → OCI (--runtime runc) → runc runs the workload with the same output', async () => {
    const dir = scratch('runc');
    const expected = await native(WORKLOAD);
    const { outputs } = await recordAndGenerate(dir, WORKLOAD, ['oci'], ['--runtime', 'runc']);
    const oci = JSON.parse(readFileSync(outputs.oci!, 'utf8')) as Record<string, unknown>;
    const seccomp = (oci.linux as { seccomp?: unknown } | undefined)?.seccomp ?? oci;
    const root = bundle(dir, WORKLOAD, seccomp);
    const id = `enforcer-${process.pid}-${Date.now()}`;
    const run = await execa('runc', ['run', '--bundle', root, id], { reject: false, stdin: 'ignore' });
    await execa('runc', ['delete', '--force', id], { reject: false });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(expected.stdout);
    // The same file is an `enforce` input too.
    const enforced = await profile(['enforce', '--profile', outputs.oci!, '--', ...WORKLOAD]);
    expect(enforced.exitCode, enforced.stderr).toBe(0);
    expect(enforced.stdout).toBe(expected.stdout);
  });

  it('recorded → bpf → bwrap --seccomp runs the workload; a new syscall is killed', async () => {
    const dir = scratch('bwrap');
    const expected = await native(WORKLOAD);
    const { outputs } = await recordAndGenerate(dir, WORKLOAD, ['bpf']);
    const bwrap = (argv: readonly string[]) => {
      const fd = openSync(outputs.bpf!, 'r');
      try {
        const r = spawnSync(
          'bwrap',
          ['--ro-bind', '/', '/', '--dev', '/dev', '--seccomp', '3', '--', ...argv],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe', fd],
          },
        );
        return { exitCode: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
      } finally {
        closeSync(fd);
      }
    };
    const ok = bwrap(WORKLOAD);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.trimEnd()).toBe(expected.stdout);
    const bad = bwrap([PYTHON, '-c', 'import socket; socket.socket()']);
    expect(bad.signal ?? bad.exitCode).not.toBe(0);
  });
});
