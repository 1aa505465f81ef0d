// Comparing two filters the way the differential tests against libseccomp do: every number 0..1023
// of x86_64, i386 and x32, numbers far out of the table, -1, with argument samples built from the
// policy's own constants.
import { type Arch, AUDIT_ARCH, describeSyscall, X32_SYSCALL_BIT } from '../../../src/arch/index.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import type { ValidatedProgram } from '../../../src/generator/bpf/types.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';

export const ARCHES = ['x86_64', 'i386', 'x32'] as const;

/** Every number 0..1023 of `arch` (x32 with its bit), out-of-table numbers, and -1. */
function numbersOf(arch: Arch): number[] {
  const base = arch === 'x32' ? X32_SYSCALL_BIT : 0;
  const nrs = Array.from({ length: 1024 }, (_, i) => base + i);
  return [...nrs, base + 0x3fffffff, base + 4096, -1];
}

export const U32 = 0xffffffffn;

/** Argument vectors: zeros, interesting values in every slot, junk high words (not on x32). */
function argSamples(arch: Arch, policy: Policy): bigint[][] {
  const values = new Set<bigint>([0n, 1n, 40n, 8n, 0x20008n, 0x7e020000n, 0xffffffffn]);
  for (const r of policy.rules[arch] ?? []) {
    for (const c of r.conditions)
      for (const v of [c.value, c.valueTwo ?? 0n])
        for (const d of [-1n, 0n, 1n]) values.add((v + d) & ((1n << 64n) - 1n));
  }
  const samples: bigint[][] = [[]];
  for (const v of values) {
    samples.push([v, v, v, v, v, v]);
    if (arch !== 'x32') samples.push(Array(6).fill((0xdead_beefn << 32n) | (v & U32)));
  }
  if (arch === 'x32') return samples.map((s) => s.map((v) => v & U32));
  return samples;
}

/** Where `ours` and `theirs` differ (one line per number), outside the `arch:nr` keys in `skip`. */
export function compare(
  ours: ValidatedProgram,
  theirs: ValidatedProgram,
  policy: Policy,
  skip: ReadonlySet<string>,
): string[] {
  const diffs: string[] = [];
  for (const arch of ARCHES) {
    const samples = argSamples(arch, policy);
    // Numbers no rule names get a few samples; args cannot matter there unless a filter is wrong.
    const named = new Set((policy.rules[arch] ?? []).map((r) => r.nr));
    const few = samples.filter((_, i) => i % 8 === 0);
    for (const nr of numbersOf(arch)) {
      if (skip.has(`${arch}:${nr}`)) continue;
      if (nr === -1 && arch !== 'i386' && !policy.arches.includes('x86_64')) continue;
      for (const args of named.has(nr) ? samples : few) {
        const data = seccompData({ auditArch: AUDIT_ARCH[arch], nr, args });
        const [a, b] = [runFilter(ours, data), runFilter(theirs, data)];
        if (a !== b) {
          diffs.push(
            `${arch} ${describeSyscall(arch, nr)} (${nr}) args=${args.map((v) => v.toString(16))}: ours 0x${a.toString(16)}, libseccomp 0x${b.toString(16)}`,
          );
          break;
        }
      }
    }
  }
  return diffs;
}
