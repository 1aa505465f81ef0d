// The trace() API the enforcer builds on: custom filters, errno skipping, filter kills and traps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../../src/arch/index.js';
import { exitCodeOf, trace } from '../../src/tracer/index.js';
import { needs } from '../support/host.js';
import { onSyscall, RET } from './bpf.js';
import { compileFixture, realPython } from './support.js';

const GETPPID = 110;
let dir: string;
let python: string;
let int80: string;
let x32: string;
let killThread: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracer-filter-'));
  python = await realPython();
  int80 = await compileFixture('int80', dir);
  x32 = await compileFixture('x32', dir);
  killThread = await compileFixture('kill_thread', dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace() with a custom filter', needs('gcc', 'python3', 'ptrace', 'seccomp'), () => {
  it('records only the RET_TRACE syscalls, and errno-skips them when asked', async () => {
    const r = await trace({
      argv: [python, '-c', 'import os, sys; sys.exit(0 if os.getppid() == -1 else 1)'],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.TRACE, RET.ALLOW),
      onTraceStop: { errno: 1 },
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls).toEqual({ x86_64: { getppid: { nr: GETPPID, count: 1 } } });
    expect(r.filterEvents).toEqual([]);
  });

  it('lets RET_TRACE syscalls run by default', async () => {
    const r = await trace({
      argv: [python, '-c', 'import os, sys; sys.exit(0 if os.getppid() > 0 else 1)'],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.TRACE, RET.ALLOW),
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(Object.keys(r.recording.syscalls.x86_64 ?? {})).toEqual(['getppid']);
  });

  it('names the syscall a KILL_PROCESS filter killed', async () => {
    const r = await trace({
      argv: [python, '-c', 'import os; os.getppid()'],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.KILL_PROCESS, RET.ALLOW),
    });
    expect(r.outcome.status).toBe('killed-by-filter');
    if (r.outcome.status !== 'killed-by-filter') return;
    expect(r.outcome.event).toMatchObject({ kind: 'killed', arch: 'x86_64', nr: GETPPID, name: 'getppid' });
    expect(r.outcome.event.executable).toMatch(/python/);
    expect(r.outcome.event.args).toHaveLength(6);
    expect(r.filterEvents).toEqual([r.outcome.event]);
    expect(exitCodeOf(r.outcome)).toBe(159);
  });

  it('names a KILL_THREAD kill in a second thread; the process lives on', async () => {
    // (Not python: its thread would die holding the GIL.)
    const r = await trace({
      argv: [killThread],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.KILL_THREAD, RET.ALLOW),
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 4 });
    expect(r.filterEvents).toHaveLength(1);
    expect(r.filterEvents[0]).toMatchObject({ kind: 'killed', name: 'getppid', arch: 'x86_64' });
  });

  it('reports a TRAP (SIGSYS, si_code SYS_SECCOMP); unhandled, it ends the workload', async () => {
    const r = await trace({
      argv: [python, '-c', 'import os; os.getppid()'],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.TRAP, RET.ALLOW),
    });
    expect(r.outcome.status).toBe('killed-by-filter');
    expect(r.filterEvents).toHaveLength(1);
    expect(r.filterEvents[0]).toMatchObject({ kind: 'trapped', name: 'getppid', nr: GETPPID });
  });

  it('re-injects the trap SIGSYS so a handler runs', async () => {
    const r = await trace({
      argv: [
        python,
        '-c',
        'import os, signal, sys\ncaught = []\nsignal.signal(signal.SIGSYS, lambda *a: caught.append(1))\nos.getppid()\nsys.exit(10 + len(caught))',
      ],
      filter: onSyscall(AUDIT_ARCH.x86_64, GETPPID, RET.TRAP, RET.ALLOW),
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 11 });
    expect(r.filterEvents.map((e) => e.kind)).toEqual(['trapped']);
  });

  // int 0x80 needs IA-32 emulation; the x32 cases below prove the same paths where it is off.
  it('names an i386 (int 0x80) call the filter killed', needs('i386'), async () => {
    const r = await trace({
      argv: [int80],
      filter: onSyscall(AUDIT_ARCH.i386, 64, RET.KILL_PROCESS, RET.ALLOW),
    });
    expect(r.outcome).toMatchObject({
      status: 'killed-by-filter',
      event: { kind: 'killed', arch: 'i386', nr: 64, name: 'getppid' },
    });
  });

  it('names an i386 trap', needs('i386'), async () => {
    const trapped = await trace({
      argv: [int80],
      filter: onSyscall(AUDIT_ARCH.i386, 64, RET.TRAP, RET.ALLOW),
    });
    expect(trapped.filterEvents[0]).toMatchObject({ kind: 'trapped', arch: 'i386', name: 'getppid' });
  });

  it('errno-skips i386 calls too', needs('i386'), async () => {
    const r = await trace({
      argv: [int80],
      filter: onSyscall(AUDIT_ARCH.i386, 64, RET.TRACE, RET.ALLOW),
      onTraceStop: { errno: 13 },
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls).toEqual({ i386: { getppid: { nr: 64, count: 1 } } });
  });

  // x32 numbers reach seccomp whether or not the kernel runs x32 (off: ENOSYS after the filter).
  it('names an x32 call the filter killed', async () => {
    const killed = await trace({
      argv: [x32],
      filter: onSyscall(AUDIT_ARCH.x86_64, X32_SYSCALL_BIT | 39, RET.KILL_PROCESS, RET.ALLOW),
    });
    expect(killed.outcome).toMatchObject({
      status: 'killed-by-filter',
      event: { kind: 'killed', arch: 'x32', name: 'getpid', nr: X32_SYSCALL_BIT | 39 },
    });
  });

  it('names an x32 trap', async () => {
    const trapped = await trace({
      argv: [x32],
      filter: onSyscall(AUDIT_ARCH.x86_64, X32_SYSCALL_BIT | 39, RET.TRAP, RET.ALLOW),
    });
    expect(trapped.filterEvents[0]).toMatchObject({ kind: 'trapped', arch: 'x32', name: 'getpid' });
  });

  it('errno-skips x32 calls too', async () => {
    const r = await trace({
      argv: [x32],
      filter: onSyscall(AUDIT_ARCH.x86_64, X32_SYSCALL_BIT | 39, RET.TRACE, RET.ALLOW),
      onTraceStop: { errno: 13 },
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls).toEqual({ x32: { getpid: { nr: X32_SYSCALL_BIT | 39, count: 1 } } });
  });

  it('rejects what is not a validated program, even from plain JavaScript', async () => {
    await expect(trace({ argv: ['true'], filter: new Uint8Array(5) as never })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    const noReturn = [{ code: 0x20, jt: 0, jf: 0, k: 0 }];
    await expect(trace({ argv: ['true'], filter: noReturn as never })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });
});

describe('trace() errno mode and the launcher', needs('ptrace', 'seccomp'), () => {
  it('records the workload’s first execve but never skips it', async () => {
    const r = await trace({
      argv: ['true'],
      filter: onSyscall(AUDIT_ARCH.x86_64, 59 /* execve */, RET.TRACE, RET.ALLOW),
      onTraceStop: { errno: 1 },
    });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls).toEqual({ x86_64: { execve: { nr: 59, count: 1 } } });
  });
});
