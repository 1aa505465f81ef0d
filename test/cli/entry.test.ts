// The `profile` executable: the CLI bundle run with the V8 code cache the build made for it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/bin/', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
// Inside the package, so the bundle still finds node_modules (koffi, for --help's record command).
const scratch = mkdtempSync(join(BIN, '..', 'entry-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(entry: string, args: readonly string[]) {
  return execa(entry, args, {
    reject: false,
    env: { SECCOMP_PROFILER_CODE_CACHE: 'report' },
    stdin: 'ignore',
  });
}

describe('dist/bin/profile.cjs', () => {
  it('is executable, and the build left a code cache that this node accepts', async () => {
    expect(statSync(join(BIN, 'profile.cjs')).mode & 0o111).not.toBe(0);
    const r = await run(join(BIN, 'profile.cjs'), ['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(version);
    expect(r.stderr).toBe('profile: code cache accepted');
  });

  it('runs the same without a cache, and with a corrupt one', async () => {
    for (const [name, cache] of [
      ['missing', undefined],
      ['rejected', Buffer.from('not a V8 code cache')],
    ] as const) {
      const dir = join(scratch, name);
      mkdirSync(dir);
      for (const file of ['profile.cjs', 'cli.cjs']) copyFileSync(join(BIN, file), join(dir, file));
      if (cache) writeFileSync(join(dir, 'cli.cjs.v8cache'), cache);
      const r = await run(process.execPath, [join(dir, 'profile.cjs'), '--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('Usage: profile');
      expect(r.stderr).toBe(`profile: code cache ${name}`);
    }
  });

  it('says in one line (exit 70) when a dependency is not installed beside it, not with a stack trace', async () => {
    // Outside the package: no node_modules on the way up, so koffi cannot be found.
    const dir = mkdtempSync('/var/tmp/profile-entry-');
    try {
      for (const file of ['profile.cjs', 'cli.cjs']) copyFileSync(join(BIN, file), join(dir, file));
      const r = await execa(process.execPath, [join(dir, 'profile.cjs'), 'record', '--', '/bin/true'], {
        reject: false,
        stdin: 'ignore',
      });
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({
        exitCode: 70,
        stderr:
          'profile: the dependency koffi is not installed: run `npm ci` where the profiler is installed',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
