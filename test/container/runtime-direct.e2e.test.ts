// `profile record -- runc run --bundle B ID`: the runtime traced directly (no engine, no wrapper),
// under both backends. The container's processes are told apart from runc by the root they exec
// under, and the eBPF recording of the same container holds the same workload as the ptrace one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../src/recording/schema.js';
import { CLI } from '../enforcer/support.js';
import { needs } from '../support/host.js';
import { ociBundle } from '../support/runc.js';

/** Host programs, not written for the test: a shell pipeline over coreutils. */
const WORKLOAD = ['sh', '-c', 'ls /usr/bin | sort | tail -3; echo done | tr a-z A-Z'];

let dir: string;
let bundle: string;
beforeAll(() => {
  dir = mkdtempSync('/var/tmp/profile-runc-direct-');
  bundle = ociBundle(join(dir, 'bundle'), { args: WORKLOAD, seccomp: undefined });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
async function recordRunc(backend: string, stderr = ''): Promise<{ stdout: string; rec: Recording }> {
  const id = `profile-direct-${process.pid}-${counter++}`;
  const out = join(dir, `${backend}.json`);
  try {
    const r = await execa(
      'node',
      [CLI, 'record', '-q', '--backend', backend, '-o', out, '--', 'runc', 'run', '--bundle', bundle, id],
      { reject: false, stdin: 'ignore', timeout: 120_000 },
    );
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr });
    return { stdout: r.stdout, rec: JSON.parse(readFileSync(out, 'utf8')) as Recording };
  } finally {
    await execa('runc', ['delete', '--force', id], { reject: false });
  }
}

const sets = (rec: Recording) =>
  Object.fromEntries(
    Object.entries(rec.container!.workload).map(([exe, a]) => [exe, Object.keys(a.x86_64 ?? {}).sort()]),
  );

describe('runc run, traced directly', needs('root', 'runc'), () => {
  let ptrace: Recording | undefined;

  it('ptrace: the workload is the container processes, runc is not in it', async () => {
    const { stdout, rec } = await recordRunc('ptrace');
    expect(stdout).toMatch(/^DONE$/m);
    expect(rec.runs[0]!.container).toMatchObject({ engine: 'runc', runtime: { name: 'runc' } });
    // Paths as the tracer sees them: the bundle's rootfs binds the host's /usr.
    expect(Object.keys(rec.container!.workload).map((e) => e.split('/').pop())).toEqual(
      expect.arrayContaining(['dash', 'ls', 'sort', 'tail', 'tr']),
    );
    expect(Object.keys(rec.container!.workload).some((e) => e.includes('runc'))).toBe(false);
    // runc's own set-up before the container's exec is recorded, and is not the workload's.
    expect(rec.syscalls.x86_64?.pivot_root).toBeDefined();
    for (const counts of Object.values(rec.container!.workload))
      expect(counts.x86_64?.pivot_root).toBeUndefined();
    ptrace = rec;
  });

  it('ebpf: the same workload per executable as ptrace, runc apart', needs('ebpf'), async () => {
    const { stdout, rec } = await recordRunc('ebpf');
    expect(stdout).toMatch(/^DONE$/m);
    expect(rec.runs[0]!.backend).toBe('ebpf');
    ptrace ??= (await recordRunc('ptrace')).rec;
    expect(sets(rec)).toEqual(sets(ptrace));
    expect(rec.syscalls.x86_64?.pivot_root).toBeDefined();
  });

  it('auto picks eBPF for a container where it loads, and says so', needs('ebpf'), async () => {
    const { rec } = await recordRunc('auto', 'profile: recorded with the ebpf backend');
    expect(rec.runs[0]!.backend).toBe('ebpf');
    ptrace ??= (await recordRunc('ptrace')).rec;
    expect(sets(rec)).toEqual(sets(ptrace));
  });
});
