// Live kernel tests: compiled filters installed by a tiny C loader (NNP + seccomp(2) + execv).
// The allowlists come from strace of the same workload, so the filter is a real recorded profile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syscallNumber } from '../../../src/arch/index.js';
import { encodeProgram } from '../../../src/generator/bpf/encode.js';
import type { Action, Policy, Rule } from '../../../src/generator/policy/types.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { needs } from '../../support/host.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/bypass/', import.meta.url));

let dir = '';
let loader = '';
let bypass = '';

/** Syscall names `argv` makes, from `strace -f`. */
function recordNames(argv: string[]): string[] {
  const log = join(dir, 'strace.log');
  const r = spawnSync('strace', ['-f', '-qq', '-o', log, ...argv]);
  expect(r.status, String(r.stderr)).toBe(0);
  const names = new Set<string>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^\d+\s+([a-z0-9_]+)\(/.exec(line);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

function allow(names: readonly string[]): Rule[] {
  return names.map((syscall) => ({
    syscall,
    nr: syscallNumber('x86_64', syscall)!,
    action: { kind: 'allow' } as Action,
    conditions: [],
  }));
}

/** Runs `argv` under `policy`'s compiled filter. */
function runUnder(policy: Policy, argv: string[]) {
  const file = join(dir, `filter-${Math.random().toString(36).slice(2)}.bpf`);
  writeFileSync(file, encodeProgram(compilePolicy(policy)));
  const r = spawnSync(loader, [file, ...argv], { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('compiled filters in the kernel', needs('gcc', 'strace', 'seccomp'), () => {
  let workload: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seccomp-live-'));
    loader = join(dir, 'loader');
    bypass = join(dir, 'bypass');
    for (const [out, src] of [
      [loader, 'loader.c'],
      [bypass, 'bypass.c'],
    ] as const) {
      const r = spawnSync('gcc', ['-O2', '-o', out, join(FIXTURES, src)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    workload = recordNames([bypass, 'none']);
    expect(workload).toContain('execve');
    expect(workload).not.toContain('getppid');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const killList = (): Policy => ({
    defaultAction: { kind: 'kill-process' },
    arches: ['x86_64'],
    rules: { x86_64: allow(workload) },
  });

  it('the recorded workload runs under its own allowlist', () => {
    const r = runUnder(killList(), [bypass, 'none']);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('none 0\n');
  });

  // nr -1 is what a tracer's skipped call looks like; the native entry passes it to seccomp too.
  it.each(['native', 'x32', 'nr-1'])('a call outside the allowlist is killed: %s', (mode) => {
    const r = runUnder(killList(), [bypass, mode]);
    expect(r.stdout).toBe('');
    expect(r.signal).toBe('SIGSYS');
  });

  it('a call outside the allowlist is killed: int80', needs('i386'), () => {
    const r = runUnder(killList(), [bypass, 'int80']);
    expect(r.stdout).toBe('');
    expect(r.signal).toBe('SIGSYS');
  });

  const withOtherAbis = (): Policy => ({
    defaultAction: { kind: 'kill-process' },
    arches: ['x86_64', 'i386', 'x32'],
    rules: { x86_64: allow([...workload, 'getppid']) },
  });

  it('with i386 and x32 enabled, x32 calls follow their own (empty) rules, not x86_64’s', () => {
    const native = runUnder(withOtherAbis(), [bypass, 'native']);
    expect(native.status).toBe(0);
    expect(native.stdout).toMatch(/^native [1-9]\d*\n$/);
    expect(runUnder(withOtherAbis(), [bypass, 'x32']).signal).toBe('SIGSYS');
  });

  it('with i386 and x32 enabled, i386 calls follow their own (empty) rules', needs('i386'), () => {
    expect(runUnder(withOtherAbis(), [bypass, 'int80']).signal).toBe('SIGSYS');
  });

  const errnoDefault = (): Policy => ({ ...killList(), defaultAction: { kind: 'errno', errno: 13 } });

  it('errno default: the call and nr -1 fail with that errno; x32 calls are still killed', () => {
    const native = runUnder(errnoDefault(), [bypass, 'native']);
    expect(native.status).toBe(0);
    expect(native.stdout).toBe('native -13\n');
    expect(runUnder(errnoDefault(), [bypass, 'nr-1']).stdout).toBe('nr-1 -13\n');
    expect(runUnder(errnoDefault(), [bypass, 'x32']).signal).toBe('SIGSYS');
  });

  it('errno default: i386 calls are still killed', needs('i386'), () => {
    expect(runUnder(errnoDefault(), [bypass, 'int80']).signal).toBe('SIGSYS');
  });

  it('a real program (ls) runs under a filter compiled from its strace', () => {
    const names = recordNames(['/bin/ls', '/']);
    const policy: Policy = {
      defaultAction: { kind: 'kill-process' },
      arches: ['x86_64'],
      rules: { x86_64: allow(names) },
    };
    const r = runUnder(policy, ['/bin/ls', '/']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toContain('usr');
  });
});
