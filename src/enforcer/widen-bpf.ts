// Widening a raw BPF filter exactly. Lifting a program back to a Policy is lossy (argument tests
// become plain allows), so re-emitting the lift would silently drop restrictions such as W^X.
// Instead the new allowances are compiled into a prefix whose "no match" exits jump into the
// original program, which runs unchanged: everything it refused before, except what was seen, it
// still refuses.
import { reachableArches } from '../arch/index.js';
import { decodeProgram, encodeProgram } from '../generator/bpf/encode.js';
import { type Instruction, JA, JMP, RET } from '../generator/bpf/types.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import { type Action, actionValue, type Policy, type Rule } from '../generator/policy/types.js';
import { compilePolicy } from '../generator/seccomp/compile.js';
import type { Recording } from '../recording/schema.js';
import { isPermissive } from './describe.js';
import { allowancesFor } from './profile.js';

/** A return value no generated rule uses: RET_TRACE with data 0xfffe marks "fall through". */
const FALL_THROUGH: Action = { kind: 'trace', data: 0xfffe };

/** `original` (raw sock_filter bytes) widened to also allow what `seen` recorded. */
export function widenProgram(
  original: Uint8Array,
  seen: Recording,
  options: Partial<GenerateOptions> = {},
): Uint8Array {
  const program = decodeProgram(original);
  const extra = allowancesFor(seen, options);
  const arches = [...new Set([...reachableArches(), ...extra.arches])];
  const rules: Partial<Record<(typeof arches)[number], readonly Rule[]>> = {};
  for (const arch of arches) rules[arch] = (extra.rules[arch] ?? []).filter((r) => isPermissive(r.action));
  const prefixPolicy: Policy = { defaultAction: FALL_THROUGH, arches, rules };
  const prefix = compilePolicy(prefixPolicy);
  const marker = actionValue(FALL_THROUGH);
  const patched: Instruction[] = prefix.map((insn, pc) =>
    insn.code === (RET | 0x00) && insn.k >>> 0 === marker
      ? { code: JMP | JA, jt: 0, jf: 0, k: prefix.length - pc - 1 }
      : insn,
  );
  // decodeProgram validates the combination (length ≤ 4096, jumps in range, seccomp loads).
  return encodeProgram(decodeProgram(encodeProgram([...patched, ...program])));
}
