// Real consumer: bubblewrap loads our raw BPF (`bwrap --seccomp FD`) and runs the workload under it.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../support/host.js';
import { generateFor, prepareWorkload, type Workload } from './support.js';

let w: Workload;
let filter: string;
beforeAll(async () => {
  w = await prepareWorkload('bwrap');
  filter = await generateFor(w, 'bpf', 'profile.bpf');
});

/**
 * bwrap with the host's root read-only; the filter is handed over as fd 3. No --unshare-pid: with it,
 * bwrap's own pid-1 init also runs under the filter and needs wait4 (see docs/formats.md).
 */
function bwrap(args: string[]) {
  const fd = openSync(filter, 'r');
  try {
    const argv = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--die-with-parent'];
    const r = spawnSync('bwrap', [...argv, '--seccomp', '3', ...args], {
      stdio: ['ignore', 'pipe', 'pipe', fd],
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { stdout: r.stdout.trim(), stderr: r.stderr, exitCode: r.status, signal: r.signal };
  } finally {
    closeSync(fd);
  }
}

describe('bwrap --seccomp with the bpf output', needs('gcc', 'bwrap', 'ptrace', 'seccomp'), () => {
  it('runs the recorded workload', async () => {
    const r = await bwrap([w.binary]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  it('kills a syscall outside the profile (bwrap reports 128 + SIGSYS)', async () => {
    const r = await bwrap([w.binary, 'forbidden']);
    expect(r.stdout).not.toContain('acct returned');
    expect(r.exitCode).toBe(128 + 31);
  });

  it('pins socket domains to those recorded, comparing only the low 32 bits of int arguments', async () => {
    const junk = await bwrap([w.binary, 'junk']);
    expect(junk.stdout).toBe('ok');
    expect(junk.exitCode).toBe(0);
    const inet = await bwrap([w.binary, 'inet']);
    expect(inet.exitCode).toBe(128 + 31);
  });

  it('enforces W^X from the default --args safe: a writable+executable mmap is killed', async () => {
    const r = await bwrap([w.binary, 'wx']);
    expect(r.stdout).not.toContain('mmap returned');
    expect(r.exitCode).toBe(128 + 31);
  });
});
