// Whose libseccomp reads a profile's names, and what it knows: the release table for a version, the
// system library asked directly, and the runtimes installed here.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ARCHES, syscallNames } from '../../src/arch/index.js';
import {
  consumerOfRuntime,
  consumerOfSystemLibrary,
  consumerOfVersion,
  probeRuntime,
} from '../../src/consumers/consumers.js';
import { systemLibseccomp } from '../../src/consumers/libseccomp.js';
import { consumerFindings } from '../../src/generator/policy/consumer-check.js';
import { policy, rule } from '../enforcer/helpers.js';
import { needs } from '../support/host.js';
import { libseccompResolves, libseccompVersion } from '../support/libseccomp.js';

describe('consumer findings', () => {
  const v254 = consumerOfVersion([2, 5, 4]);

  it('warn when an older libseccomp would skip an allowed syscall, naming the release it needs', () => {
    const [finding] = consumerFindings(policy(['read', 'fchmodat2', 'exit_group']), [v254]);
    expect(finding).toEqual({
      severity: 'warning',
      consumer: 'libseccomp 2.5.4',
      syscalls: ['fchmodat2'],
      message:
        "fchmodat2 needs libseccomp ≥ 2.5.5; libseccomp 2.5.4 (judged by that release's table) skips it, so the profile's allow gives way to the default action kill-process and the workload dies when it makes it",
    });
    expect(consumerFindings(policy(['read', 'fchmodat2']), [consumerOfVersion([2, 5, 5])])).toEqual([]);
  });

  it('note the other rules it would skip (ENOSYS for newer syscalls), and name the runtime', () => {
    const p = policy(['read'], [rule('x86_64', 'mseal', { kind: 'errno', errno: 38 })]);
    const [finding] = consumerFindings(p, [consumerOfVersion([2, 5, 4], 'runc 1.1.5')]);
    expect(finding?.severity).toBe('note');
    expect(finding?.message).toMatch(
      /^mseal needs libseccomp ≥ 2\.5\.6; runc 1\.1\.5 \(built with libseccomp 2\.5\.4/,
    );
  });
});

describe('the system libseccomp, asked directly', needs('libseccomp'), () => {
  it('reports the version and the names the library resolves, never fewer than its release table', () => {
    const lib = systemLibseccomp()!;
    expect(lib.version).toEqual(libseccompVersion());
    const system = consumerOfSystemLibrary()!;
    const table = consumerOfVersion(lib.version);
    for (const arch of ARCHES.filter((a) => a !== 'aarch64')) {
      for (const name of syscallNames(arch)) {
        expect(system.knows(arch, name), `${arch}:${name}`).toBe(libseccompResolves(arch, name));
        if (table.knows(arch, name) === true) expect(system.knows(arch, name), `${arch}:${name}`).toBe(true);
      }
    }
  });
});

/** What `program --version`, its executable and the consumer we make of it say. */
async function checkRuntime(program: 'runc' | 'crun'): Promise<void> {
  const probe = probeRuntime(program)!;
  expect(probe.name).toMatch(new RegExp(`^${program} \\d`));
  const ldd = await execa('ldd', [probe.path], { reject: false });
  expect(probe.dynamic).toBe(ldd.stdout.includes('libseccomp.so.2'));
  const consumer = consumerOfRuntime(probe)!;
  expect(consumer.basis).toBe(probe.dynamic ? 'library' : 'release');
  // runc prints the libseccomp it runs with; crun does not.
  if (program === 'runc') expect(consumer.version).toEqual(probe.libseccomp);
}

describe('runtimes installed here', () => {
  it('runc: --version, and the libseccomp it links', needs('runc', 'libseccomp'), () => checkRuntime('runc'));
  it('crun: --version, and the libseccomp it links', needs('crun', 'libseccomp'), () => checkRuntime('crun'));
});
