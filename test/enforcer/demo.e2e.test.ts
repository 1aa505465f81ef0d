// The main-job demo (`npm start`): every step behaves and the violation is named.
import { expect, it } from 'vitest';
import { needs } from '../support/host.js';
import { profile } from './support.js';

it(
  'profile demo records, generates, enforces and names the socket it catches',
  needs('python3', 'ptrace', 'seccomp'),
  async () => {
    const run = await profile(['demo']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/seccomp\.json: exit 0, output identical/);
    expect(run.stdout).toMatch(/seccomp\.bpf *: exit 0, output identical/);
    expect(run.stdout).toMatch(/killed in socket \(x86_64 syscall 41\), exit 159/);
    expect(run.stdout).toMatch(/socket\(domain=AF_INET, type=SOCK_STREAM/);
    expect(run.stdout).toMatch(/complain .*socket/);
    expect(run.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(16);
  },
);
