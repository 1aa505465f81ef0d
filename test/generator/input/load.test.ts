import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ARCH, syscallNumber } from '../../../src/arch/index.js';
import { emitPolicy } from '../../../src/generator/emit/index.js';
import { loadInput, loadPolicy } from '../../../src/generator/input/load.js';
import { parseOciSeccomp } from '../../../src/generator/input/oci.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';
import { makeRecording } from '../policy/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-load-'));
const opts = DEFAULT_GENERATE_OPTIONS;
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const kind = (p: Policy, name: string) =>
  evaluatePolicy(p, { auditArch: AUDIT_ARCH.x86_64, nr: syscallNumber('x86_64', name)!, args: [] }).kind;

const SECCOMP = {
  defaultAction: 'SCMP_ACT_KILL_PROCESS',
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
};

describe('loadInput detects the kind by content', () => {
  it('recording', () => {
    const path = file('a.txt', JSON.stringify(makeRecording({ syscalls: { x86_64: ['read'] } })));
    expect(loadInput(path, opts).kind).toBe('recording');
  });
  it('docker profile', () => {
    const input = loadInput(MOBY_DEFAULT, opts);
    expect(input.kind).toBe('docker');
  });
  it('OCI config.json and bare linux.seccomp', () => {
    const config = file('config.json', JSON.stringify({ ociVersion: '1.0.2', linux: { seccomp: SECCOMP } }));
    const input = loadInput(config, opts);
    expect(input.kind).toBe('oci');
    if (input.kind !== 'recording') expect(kind(input.policy, 'read')).toBe('allow');
    expect(kind(parseOciSeccomp(JSON.stringify(SECCOMP), 's.json', opts), 'write')).toBe('allow');
    expect(() =>
      loadInput(file('nosec.json', JSON.stringify({ ociVersion: '1.0.2', linux: {} })), opts),
    ).toThrow(/has no linux\.seccomp/);
    expect(() =>
      parseOciSeccomp(
        JSON.stringify({ ...SECCOMP, syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW' }] }),
        's',
        opts,
      ),
    ).toThrow(/OCI profiles use `names`/);
  });
  it('raw BPF, lifted back to a policy', () => {
    const policy = loadPolicy([MOBY_DEFAULT], opts);
    const path = file('moby.bpf', emitPolicy(policy, 'bpf'));
    const input = loadInput(path, opts);
    expect(input.kind).toBe('bpf');
    if (input.kind === 'bpf') {
      expect(kind(input.policy, 'read')).toBe('allow');
      expect(kind(input.policy, 'mount')).toBe('errno');
    }
  });
  it('gives one-line errors for what it cannot read', () => {
    expect(() => loadInput(join(dir, 'missing.json'), opts)).toThrow(
      /cannot read .*missing\.json: no such file/,
    );
    expect(() => loadInput(file('empty', ''), opts)).toThrow(/is empty/);
    expect(() => loadInput(file('x.yaml', 'a: b\n'), opts)).toThrow(
      /not a recording, Docker\/OCI profile \(JSON\) or raw BPF/,
    );
    expect(() => loadInput(file('o.json', '{"hello": 1}'), opts)).toThrow(/neither a recording/);
    expect(() => loadInput(file('bad.json', '{\n"defaultAction": }'), opts)).toThrow(
      /bad\.json:2:18: invalid JSON/,
    );
  });
});

describe('loadPolicy', () => {
  it('unites several recordings and profiles, keeping provenance', () => {
    const a = file(
      'r1.json',
      JSON.stringify(makeRecording({ syscalls: { x86_64: ['read'] }, command: ['/bin/cat'] })),
    );
    const b = file('r2.json', JSON.stringify(makeRecording({ syscalls: { x86_64: ['write'] } })));
    const c = file(
      'p.json',
      JSON.stringify({ ...SECCOMP, syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW' }] }),
    );
    const p = loadPolicy([a, b, c], opts);
    expect(['read', 'write', 'getpid', 'exit_group'].map((n) => kind(p, n))).toEqual([
      'allow',
      'allow',
      'allow',
      'allow',
    ]);
    expect(kind(p, 'mount')).toBe('kill-process');
    expect(p.provenance).toMatchObject({ sources: [a, b, c], command: ['/bin/cat'] });
  });
  it('refuses to generate from recordings without any syscall', () => {
    const empty = file('empty-rec.json', JSON.stringify(makeRecording({ syscalls: {} })));
    expect(() => loadPolicy([empty], opts)).toThrow(/empty-rec\.json: the recordings hold no syscalls/);
  });
  it('adds the runtime set and errno overrides to converted profiles when asked', () => {
    const c = file('p2.json', JSON.stringify(SECCOMP));
    const p = loadPolicy([c], { ...opts, runtime: 'runc', errnoOverrides: new Map([['read', 5]]) });
    expect(kind(p, 'execve')).toBe('allow');
    expect(evaluatePolicy(p, { auditArch: AUDIT_ARCH.x86_64, nr: 0, args: [] })).toEqual({
      kind: 'errno',
      errno: 5,
    });
  });
  it('a profile generated from a recording remembers its command and cwd (for replay)', () => {
    const rec = file(
      'cmd-rec.json',
      JSON.stringify(makeRecording({ syscalls: { x86_64: ['read'] }, command: ['/bin/cat', '-n'] })),
    );
    for (const format of ['docker', 'oci'] as const) {
      const out = file(`cmd.${format}.json`, emitPolicy(loadPolicy([rec], opts), format));
      const input = loadInput(out, opts);
      expect(input.kind).toBe('docker');
      expect(input.kind !== 'recording' && input.meta).toEqual({ command: ['/bin/cat', '-n'], cwd: '/work' });
    }
  });
  it('returns the command a generated profile remembers', () => {
    const c = file(
      'meta.json',
      JSON.stringify({ 'x-seccomp-profiler': { command: ['/bin/ls', '-l'], cwd: '/tmp' }, ...SECCOMP }),
    );
    const input = loadInput(c, opts);
    expect(input.kind !== 'recording' && input.meta).toEqual({ command: ['/bin/ls', '-l'], cwd: '/tmp' });
  });
});
