// Syscalls newer than the kernel a recording was made on return ENOSYS (so libc falls back), and
// numbers without a name stay in the policy by number.
import { describe, expect, it } from 'vitest';
import {
  type Arch,
  AUDIT_ARCH,
  syscallNumber,
  unnamedNumbersAbove,
  X32_SYSCALL_BIT,
} from '../../../src/arch/index.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { policyFromRecordings } from '../../../src/generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from '../../../src/generator/policy/options.js';
import { type Action, actionValue, type Policy } from '../../../src/generator/policy/types.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import type { Recording } from '../../../src/recording/schema.js';
import { makeRecording } from './fixtures.js';

const ENOSYS: Action = { kind: 'errno', errno: 38 };
const opts = (o: Partial<GenerateOptions> = {}): GenerateOptions => ({ ...DEFAULT_GENERATE_OPTIONS, ...o });

/** `rec` as if recorded on `kernel` (uname -r). */
function onKernel(rec: Recording, kernel: string): Recording {
  return { ...rec, runs: rec.runs.map((r) => ({ ...r, kernel })) };
}

function act(p: Policy, arch: Arch, nr: number): Action {
  return evaluatePolicy(p, { auditArch: AUDIT_ARCH[arch], nr, args: [] });
}

const byName = (p: Policy, arch: Arch, name: string) => act(p, arch, syscallNumber(arch, name)!);

describe('syscalls newer than the recorded kernel', () => {
  const rec = onKernel(
    makeRecording({ syscalls: { x86_64: ['fchmodat', 'read', 'exit_group'] } }),
    '6.1.0-37-amd64',
  );

  it('return ENOSYS by default, named ones by name, and the compiled filter agrees', () => {
    const p = policyFromRecordings([rec], opts());
    for (const name of ['cachestat', 'fchmodat2', 'map_shadow_stack', 'futex_wake', 'mseal', 'listns'])
      expect(byName(p, 'x86_64', name), name).toEqual(ENOSYS);
    // Older than 6.1, not recorded: the default action.
    for (const name of ['ptrace', 'openat2', 'clone3', 'faccessat2'])
      expect(byName(p, 'x86_64', name).kind).toBe('kill-process');
    expect(byName(p, 'x86_64', 'fchmodat').kind).toBe('allow');
    const program = compilePolicy(p);
    for (const nr of [451, 452, 470, 471, 472, 500, 0x3fffffff, 337, 0, 257, 268]) {
      const input = { auditArch: AUDIT_ARCH.x86_64, nr, args: [] };
      expect(runFilter(program, seccompData(input)), String(nr)).toBe(actionValue(evaluatePolicy(p, input)));
    }
    // Numbers above the table: ENOSYS (the raw filter), but not the x32 numbers beyond them.
    expect(act(p, 'x86_64', 472)).toEqual(ENOSYS);
    expect(act(p, 'x86_64', 0x3fffffff)).toEqual(ENOSYS);
    expect(p.ranges?.x86_64).toEqual(
      unnamedNumbersAbove('x86_64').map(([lo, hi]) => ({ lo, hi, action: ENOSYS })),
    );
  });

  it('say so in the provenance, naming the kernel and the syscalls', () => {
    const p = policyFromRecordings([rec], opts());
    expect(p.provenance?.options.enosysNewer).toBe('true');
    const [note] = p.provenance?.notes ?? [];
    expect(note).toMatch(
      /^syscalls introduced after Linux 6\.1 \(the oldest kernel recorded on\) return ENOSYS/,
    );
    expect(note).toMatch(
      /: x86_64 uretprobe uprobe cachestat fchmodat2 map_shadow_stack futex_wake .* rseq_slice_yield \(--no-enosys-newer turns this off\)$/,
    );
  });

  it('use the oldest kernel among the runs', () => {
    const newer = onKernel(makeRecording({ syscalls: { x86_64: ['read'] } }), '6.18.0');
    const p = policyFromRecordings([newer, rec], opts());
    expect(byName(p, 'x86_64', 'cachestat')).toEqual(ENOSYS);
    const only = policyFromRecordings([newer], opts());
    expect(byName(only, 'x86_64', 'cachestat').kind).toBe('kill-process');
    expect(byName(only, 'x86_64', 'listns')).toEqual(ENOSYS); // 6.19
  });

  it('never override what was recorded, the baseline, --errno, or an allowing default', () => {
    const seen = onKernel(makeRecording({ syscalls: { x86_64: ['read', 'fchmodat2'] } }), '6.1.0');
    const p = policyFromRecordings([seen], opts({ errnoOverrides: new Map([['mseal', 1]]) }));
    expect(byName(p, 'x86_64', 'fchmodat2').kind).toBe('allow');
    expect(byName(p, 'x86_64', 'mseal')).toEqual({ kind: 'errno', errno: 1 });
    const allowing = policyFromRecordings([seen], opts({ defaultAction: { kind: 'allow' } }));
    expect(allowing.ranges).toBeUndefined();
    expect(byName(allowing, 'x86_64', 'cachestat').kind).toBe('allow');
    const enosysDefault = policyFromRecordings([seen], opts({ defaultAction: ENOSYS }));
    expect(enosysDefault.rules.x86_64!.filter((r) => r.action.kind === 'errno')).toEqual([]);
    // An EPERM default is what breaks glibc's fallback (moby#42680): ENOSYS still goes in.
    const eperm = policyFromRecordings([seen], opts({ defaultAction: { kind: 'errno', errno: 1 } }));
    expect(byName(eperm, 'x86_64', 'cachestat')).toEqual(ENOSYS);
  });

  it('--no-enosys-newer turns it off', () => {
    const p = policyFromRecordings([rec], opts({ enosysNewer: false }));
    expect(byName(p, 'x86_64', 'fchmodat2').kind).toBe('kill-process');
    expect(act(p, 'x86_64', 500).kind).toBe('kill-process');
    expect(p.ranges).toBeUndefined();
    expect(p.provenance?.notes).toBeUndefined();
    expect(p.provenance?.options.enosysNewer).toBe('false');
  });

  it('leave everything alone when no run says which kernel it was, and say so', () => {
    const p = policyFromRecordings([onKernel(rec, 'unknown')], opts());
    expect(byName(p, 'x86_64', 'fchmodat2').kind).toBe('kill-process');
    expect(p.provenance?.notes).toEqual([
      'no recording says which kernel it was made on: newer syscalls get the default action',
    ]);
  });

  it('cover x32 and i386 numbers above their tables, not x32’s own calls (512–547)', () => {
    const both = onKernel(makeRecording({ syscalls: { x32: ['read'], i386: ['read'] } }), '6.1.0');
    const p = policyFromRecordings([both], opts());
    expect(act(p, 'x32', X32_SYSCALL_BIT + 480)).toEqual(ENOSYS);
    expect(act(p, 'x32', X32_SYSCALL_BIT + 520).kind).toBe('kill-process'); // x32 rt_sigaction…
    expect(act(p, 'x32', X32_SYSCALL_BIT + 600)).toEqual(ENOSYS);
    expect(act(p, 'i386', 0x7fffffff)).toEqual(ENOSYS);
    expect(act(p, 'i386', -1).kind).toBe('kill-process');
  });
});

describe('numbers without a name', () => {
  /** A recording that saw x86_64 syscall 500, which no table names (newer than ours). */
  function withUnnamed(): Recording {
    const rec = makeRecording({ syscalls: { x86_64: ['read', 'exit_group'] } });
    return {
      ...rec,
      syscalls: { x86_64: { ...rec.syscalls.x86_64, syscall_500: { nr: 500, count: 3 } } },
    };
  }

  it('stay in the policy by number and are allowed', () => {
    const p = policyFromRecordings([withUnnamed()], opts());
    expect(p.rules.x86_64).toContainEqual({
      syscall: 'syscall_500',
      nr: 500,
      action: { kind: 'allow' },
      conditions: [],
    });
    expect(act(p, 'x86_64', 500).kind).toBe('allow');
    expect(
      runFilter(compilePolicy(p), seccompData({ auditArch: AUDIT_ARCH.x86_64, nr: 500, args: [] })),
    ).toBe(0x7fff0000);
  });

  it('get the table’s name when an older recording wrote syscall_452 for fchmodat2', () => {
    const rec = makeRecording({ syscalls: { x86_64: ['read'] } });
    const old = {
      ...rec,
      syscalls: { x86_64: { ...rec.syscalls.x86_64, syscall_452: { nr: 452, count: 1 } } },
    };
    const fresh = makeRecording({ syscalls: { x86_64: ['fchmodat2'] } });
    const p = policyFromRecordings([old, fresh], opts());
    expect(p.rules.x86_64!.filter((r) => r.nr === 452)).toEqual([
      { syscall: 'fchmodat2', nr: 452, action: { kind: 'allow' }, conditions: [] },
    ]);
  });
});
