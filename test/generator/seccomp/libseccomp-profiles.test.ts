// Docker's and podman's default profiles, read by us and compiled by our compiler, against the same
// profile handed to libseccomp as runc hands it (test/support/runc-view.ts: every name on every ABI,
// in profile order; libseccomp decides what a name means on each ABI). Compared on x86_64, i386 and
// x32 over every number 0..1023 and more (./differential.ts), for every number libseccomp knows.
//
// What libseccomp 2.5.4 does that we do not, each pinned below:
// - i386 socket and SysV IPC calls: libseccomp also adds a rule on the multiplexer, socketcall() or
//   ipc(), with arg0 == the sub-call, and puts the rule's arg0 test aside for it (src/syscalls.c
//   abi_rule_add), names without a direct i386 call (semop, accept) included. We keep to the direct
//   calls. Both default profiles allow socketcall() and ipc() outright before any such rule, where
//   libseccomp drops a later conditional rule on a syscall it already allows unconditionally, so
//   the filters agree; a profile that names socket but not socketcall does not.
// - Names this libseccomp does not know (newer than its table) it skips, as any runtime linking it
//   does: the profile's action in ours, the default in its filter (see libseccomp.test.ts).
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type Arch, AUDIT_ARCH, syscallNumber } from '../../../src/arch/index.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import { parseDockerProfile } from '../../../src/generator/input/docker.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import { actionValue, type Policy } from '../../../src/generator/policy/types.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { MOBY_DEFAULT, PODMAN_DEFAULT } from '../../support/fixtures.js';
import { needs } from '../../support/host.js';
import { compileWithLibseccomp, skippedNumbers, unknownToLibseccomp } from '../../support/libseccomp.js';
import { runcView } from '../../support/runc-view.js';
import { ARCHES, compare } from './differential.js';
import { mobyPolicy, podmanPolicy } from './policies.js';

const PROFILES: Readonly<Record<string, readonly [string, () => Policy]>> = {
  'moby-default': [MOBY_DEFAULT, mobyPolicy],
  'podman-default': [PODMAN_DEFAULT, podmanPolicy],
};

describe('default profiles: ours against libseccomp as runc drives it', needs('libseccomp'), () => {
  it.each([
    ['moby-default', 1],
    ['moby-default', 2],
    ['podman-default', 1],
    ['podman-default', 2],
  ] as const)('%s: the same action for every number libseccomp knows (optimize=%i)', (name, optimize) => {
    const [path, parse] = PROFILES[name]!;
    const policy = parse();
    const view = runcView(path, ARCHES, release());
    const theirs = compileWithLibseccomp(view, { optimize });
    // libseccomp skips exactly the names of this ABI that its table lacks.
    const unknown = ARCHES.flatMap((arch) =>
      unknownToLibseccomp(
        arch,
        (view.rules[arch] ?? []).map((r) => r.syscall).filter((n) => syscallNumber(arch, n) !== undefined),
      ).map((n) => `${arch}:${n}: unknown to libseccomp`),
    );
    const skippedHere = theirs.skipped.filter((s) =>
      syscallNumber(s.split(':')[0] as Arch, s.split(':')[1]!),
    );
    expect([...new Set(skippedHere)].sort()).toEqual(unknown.sort());
    const skip = skippedNumbers(theirs.skipped);
    const ours = compilePolicy(policy);
    expect(compare(ours, theirs.program, policy, skip)).toEqual([]);
    for (const key of skip) {
      const [arch, nr] = [key.split(':')[0] as Arch, Number(key.split(':')[1])];
      const input = { auditArch: AUDIT_ARCH[arch], nr, args: [] };
      const want = actionValue(evaluatePolicy(policy, input));
      expect(runFilter(ours, seccompData(input)), key).toBe(want);
      expect(runFilter(theirs.program, seccompData(input)), key).toBe(actionValue(policy.defaultAction));
    }
  });

  it('i386: libseccomp also opens socketcall() and ipc() for socket and IPC rules, without their arg0 test; we do not', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [
        // AF_UNIX sockets only, and shmget (i386: direct call 395 and ipc(SHMGET = 23, …)). Not semop,
        // which has no direct i386 call: libseccomp 2.5.4 then emits no `ld nr` after the arch check
        // of an i386-only filter (its first syscall block is the skipped pseudo-syscall's) and
        // compares the arch with syscall numbers.
        { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['shmget'], action: 'SCMP_ACT_ALLOW' },
      ],
    };
    const path = join(mkdtempSync(join(tmpdir(), 'profile-mux-')), 'p.json');
    writeFileSync(path, JSON.stringify(profile));
    const ours = compilePolicy(parseDockerProfile(JSON.stringify(profile), path, DEFAULT_GENERATE_OPTIONS));
    const theirs = compileWithLibseccomp(runcView(path, ['x86_64', 'i386'], release())).program;
    const i386 = (name: string, args: bigint[]) =>
      seccompData({ auditArch: AUDIT_ARCH.i386, nr: syscallNumber('i386', name)!, args });
    const ALLOW = 0x7fff0000;
    const EPERM = 0x50001;
    // socketcall(SYS_SOCKET = 1, args): libseccomp allows it whatever the domain (in user memory).
    expect(runFilter(theirs, i386('socketcall', [1n, 0x1000n]))).toBe(ALLOW);
    expect(runFilter(ours, i386('socketcall', [1n, 0x1000n]))).toBe(EPERM);
    // ipc(SHMGET = 23, …)
    expect(runFilter(theirs, i386('ipc', [23n]))).toBe(ALLOW);
    expect(runFilter(ours, i386('ipc', [23n]))).toBe(EPERM);
    expect(runFilter(theirs, i386('ipc', [1n]))).toBe(EPERM);
    for (const filter of [ours, theirs]) expect(runFilter(filter, i386('shmget', []))).toBe(ALLOW);
    // The direct socket call keeps its domain test in both.
    for (const filter of [ours, theirs]) {
      expect(runFilter(filter, i386('socket', [1n]))).toBe(ALLOW);
      expect(runFilter(filter, i386('socket', [2n]))).toBe(EPERM);
    }
  });
});
