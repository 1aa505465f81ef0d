// Real consumer: the libseccomp C output compiles with `gcc -lseccomp`, runs the workload, kills a
// forbidden syscall with SIGSYS, and libseccomp's own BPF for it decides like our policy does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../../../src/arch/index.js';
import { decodeProgram } from '../../../src/generator/bpf/encode.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import { emitPolicy } from '../../../src/generator/emit/index.js';
import { loadPolicy } from '../../../src/generator/input/load.js';
import { evaluatePolicy } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import { actionValue, type Policy } from '../../../src/generator/policy/types.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { needs } from '../../support/host.js';
import { samplePolicy } from '../emit/support.js';
import { generateFor, prepareWorkload, type Workload } from './support.js';

let w: Workload;
let source: string;
beforeAll(async () => {
  w = await prepareWorkload('libseccomp');
  source = await generateFor(w, 'libseccomp', 'profile.c');
});

describe('libseccomp C output', needs('gcc', 'libseccomp', 'ptrace', 'seccomp'), () => {
  it('compiles with gcc -lseccomp, runs the workload and kills a forbidden syscall', async () => {
    const exe = join(w.dir, 'profile-exec');
    await execa('gcc', ['-Wall', '-Werror', '-DMAIN', source, '-lseccomp', '-o', exe]);
    const ok = await execa(exe, [w.binary], { reject: false });
    expect(ok.stdout).toBe('ok');
    expect(ok.exitCode).toBe(0);
    const bad = await execa(exe, [w.binary, 'forbidden'], { reject: false });
    expect(bad.signal).toBe('SIGSYS');
    expect(bad.stdout).not.toContain('acct returned');
    const wx = await execa(exe, [w.binary, 'wx'], { reject: false });
    expect(wx.signal).toBe('SIGSYS');
  });

  it('also compiles as a library without MAIN', async () => {
    await execa('gcc', ['-Wall', '-Werror', '-c', source, '-o', join(w.dir, 'profile.o')]);
  });

  it("builds a filter that decides like the policy (libseccomp's exported BPF, interpreted)", async () => {
    const policy = loadPolicy([w.recording], DEFAULT_GENERATE_OPTIONS);
    expect(readFileSync(source, 'utf8')).toContain('SCMP_ACT_KILL_PROCESS');
    expect(await compareExported(source, policy, 'recorded')).toBe(3 * 460 * 5);
  });

  it('keeps per-ABI rules, argument conditions and errno overrides (two ABIs)', async () => {
    const policy = samplePolicy();
    const file = join(w.dir, 'sample.c');
    writeFileSync(file, emitPolicy(policy, 'libseccomp') as string);
    expect(await compareExported(file, policy, 'sample')).toBe(3 * 460 * 5);
  });
});

/** Exports libseccomp's BPF for `source` and checks it against `policy` on every nr of 3 ABIs. */
async function compareExported(source: string, policy: Policy, name: string): Promise<number> {
  const harness = join(w.dir, `export-${name}.c`);
  writeFileSync(
    harness,
    `#include "${source}"\nint main(void) {\n  scmp_filter_ctx ctx = profile_build();\n  if (!ctx) return 1;\n  return seccomp_export_bpf(ctx, 1) < 0;\n}\n`,
  );
  const exe = join(w.dir, `export-${name}`);
  await execa('gcc', [harness, '-lseccomp', '-o', exe]);
  const { stdout } = await execa(exe, [], { encoding: 'buffer' });
  const bytes = new Uint8Array(stdout);
  // libseccomp's own export, read back as the kernel would take it.
  const program = decodeProgram(bytes);
  let compared = 0;
  for (const [auditArch, base] of [
    [AUDIT_ARCH.x86_64, 0],
    [AUDIT_ARCH.x86_64, X32_SYSCALL_BIT],
    [AUDIT_ARCH.i386, 0],
  ] as const) {
    for (let i = 0; i < 460; i++) {
      for (const arg of [0n, 1n, 3n, 7n, 0x10000000n]) {
        const input = { auditArch, nr: base + i, args: [arg, arg, arg, arg, arg, arg] };
        const want = actionValue(evaluatePolicy(policy, input)) >>> 0;
        expect(runFilter(program, seccompData(input)) >>> 0, `arch ${auditArch} nr ${base + i}`).toBe(want);
        compared++;
      }
    }
  }
  return compared;
}
