// Real consumer: runc 1.1.5 runs the workload under our OCI profile generated with --runtime runc,
// in a bundle whose rootfs is read-only bind mounts of the host's /bin /lib /lib64 /usr /etc.
// The same profile without the runtime set makes runc fail: that is what proves the set is needed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../support/host.js';
import { ociBundle, runcRun } from '../../support/runc.js';
import { generateFor, prepareWorkload, type Workload } from './support.js';

let w: Workload;
beforeAll(async () => {
  w = await prepareWorkload('runc');
});

/** A bundle in the workload's scratch dir running it (bound at /w) under `seccomp`. */
function bundle(name: string, seccomp: unknown, noNewPrivileges: boolean): string {
  return ociBundle(join(w.dir, name), {
    args: ['/w/workload'],
    seccomp,
    noNewPrivileges,
    binds: { '/w': w.dir },
  });
}

const runc = runcRun;

const load = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('runc with the oci output', needs('gcc', 'runc', 'root', 'ptrace', 'seccomp'), () => {
  it('runs the workload with --runtime runc (noNewPrivileges on)', async () => {
    const profile = await generateFor(w, 'oci', 'runc-nnp.json', { runtime: 'runc', noNewPrivileges: true });
    const r = await runc(bundle('nnp', load(profile), true));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  it('runs the workload with --runtime runc --no-nnp (noNewPrivileges off: the larger set)', async () => {
    const profile = await generateFor(w, 'oci', 'runc-priv.json', {
      runtime: 'runc',
      noNewPrivileges: false,
    });
    const r = await runc(bundle('priv', load(profile), false));
    expect(r.stdout).toBe('ok');
    expect(r.exitCode).toBe(0);
  });

  it('fails without the runtime set: runc itself is killed after loading the filter', async () => {
    const profile = await generateFor(w, 'oci', 'bare.json', { runtime: 'none' });
    const r = await runc(bundle('bare', load(profile), true));
    expect(r.stdout).not.toBe('ok');
    expect(r.exitCode).not.toBe(0);
  });

  it('fails when noNewPrivileges is off but the profile only has the NNP set', async () => {
    const profile = await generateFor(w, 'oci', 'nnp-only.json', { runtime: 'runc', noNewPrivileges: true });
    const r = await runc(bundle('mismatch', load(profile), false));
    expect(r.stdout).not.toBe('ok');
    expect(r.exitCode).not.toBe(0);
  });

  it('a forbidden syscall inside the container is killed', async () => {
    const profile = await generateFor(w, 'oci', 'runc-forbidden.json', { runtime: 'runc' });
    const dir = bundle('forbidden', load(profile), true);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    config.process.args = ['/w/workload', 'forbidden'];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const r = await runc(dir);
    expect(r.stdout).not.toContain('acct returned');
    expect(r.exitCode).toBe(128 + 31);
  });
});
