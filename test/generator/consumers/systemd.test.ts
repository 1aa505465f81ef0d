// systemd's own parser accepts the drop-in: `systemd-analyze verify` on a unit that includes it
// reports every syscall name, architecture or errno it cannot parse.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { emitPolicy } from '../../../src/generator/emit/index.js';
import { loadPolicy } from '../../../src/generator/input/load.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';
import { needs } from '../../support/host.js';
import { namesUnknownToLibseccomp } from '../../support/libseccomp.js';
import { samplePolicy } from '../emit/support.js';

async function verify(dropIn: string) {
  const dir = mkdtempSync(join(tmpdir(), 'profile-systemd-'));
  const unit = join(dir, 'profile-test.service');
  writeFileSync(unit, `[Unit]\nDescription=profile test\n${dropIn}ExecStart=/bin/true\n`);
  return execa('systemd-analyze', ['verify', unit], { reject: false });
}

describe('systemd output', needs('systemd-analyze'), () => {
  it.each([
    ['moby-default (errno default)', () => loadPolicy([MOBY_DEFAULT], DEFAULT_GENERATE_OPTIONS)],
    ['a recording (kill default)', samplePolicy],
    ['a recording (log default)', () => ({ ...samplePolicy(), defaultAction: { kind: 'log' } as const })],
  ])('%s passes systemd-analyze verify', async (_name, make) => {
    const policy = make();
    const text = emitPolicy(policy, 'systemd') as string;
    const r = await verify(text);
    // systemd resolves names with the system's libseccomp, which skips the syscalls newer than its
    // table (Debian 12's 2.5.4: mseal, statmount, …). Exactly those may be reported, nothing else.
    // The drop-in lists the allowed syscalls; others (errno rules) are comments.
    const names = Object.values(policy.rules).flatMap((rules) =>
      (rules ?? []).filter((rule) => rule.action.kind === 'allow').map((rule) => rule.syscall),
    );
    const ignored = [...r.stderr.matchAll(/Failed to parse system call, ignoring: (\S+)/g)].map((m) => m[1]);
    expect(ignored.sort()).toEqual(namesUnknownToLibseccomp(names));
    const rest = r.stderr.replace(/^.*Failed to parse system call, ignoring: \S+\n?/gm, '');
    expect(rest).not.toMatch(/Failed to parse|Unknown|ignoring/i);
    expect(r.exitCode).toBe(0);
  });

  it('the check can fail: a bogus syscall name is reported', async () => {
    const r = await verify('[Service]\nSystemCallFilter=read bogus_call\n');
    expect(r.stderr).toMatch(/Failed to parse system call, ignoring: bogus_call/);
  });
});
