// Round trips through real consumers: recorded → OCI → runc, recorded → bpf → bwrap.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs } from '../support/host.js';
import { ociBundle, runcRun } from '../support/runc.js';
import { native, PYTHON, profile, recordAndGenerate, scratch } from './support.js';

const WORKLOAD = [PYTHON, '-c', 'import os, sys; print(sorted(os.listdir("/etc"))[:2], sys.version_info[0])'];

describe('consumers', needs('gcc', 'ptrace', 'seccomp'), () => {
  it(
    'recorded → OCI (--runtime runc) → runc runs the workload with the same output',
    needs('runc', 'root'),
    async () => {
      const dir = scratch('runc');
      const expected = await native(WORKLOAD);
      const { outputs } = await recordAndGenerate(dir, WORKLOAD, ['oci'], ['--runtime', 'runc']);
      const oci = JSON.parse(readFileSync(outputs.oci!, 'utf8')) as Record<string, unknown>;
      const seccomp = (oci.linux as { seccomp?: unknown } | undefined)?.seccomp ?? oci;
      const run = await runcRun(ociBundle(join(dir, 'bundle'), { args: WORKLOAD, seccomp }));
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe(expected.stdout);
      // The same file is an `enforce` input too.
      const enforced = await profile(['enforce', '--profile', outputs.oci!, '--', ...WORKLOAD]);
      expect(enforced.exitCode, enforced.stderr).toBe(0);
      expect(enforced.stdout).toBe(expected.stdout);
    },
  );

  it(
    'recorded → bpf → bwrap --seccomp runs the workload; a new syscall is killed',
    needs('bwrap'),
    async () => {
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
    },
  );
});
