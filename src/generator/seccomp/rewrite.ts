// Rewriting an existing seccomp program without lifting it: its code runs unchanged, only what it
// returns (or where it starts) changes. Lifting a program back to a Policy is lossy (an argument
// test can become a plain allow), so everything that must keep a raw filter's exact semantics
// (enforce, complain, check and --fix on a .bpf) goes through here.
import { reachableArches } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import {
  classOf,
  type Instruction,
  JA,
  JMP,
  K,
  RET,
  RET_A,
  returnOperand,
  type ValidatedProgram,
} from '../bpf/types.js';
import { validateProgram } from '../bpf/validate.js';
import { type Action, actionValue, isPermissive, type Policy } from '../policy/types.js';
import { compilePolicy } from './compile.js';
import { assertSeccompProgram } from './validate.js';

/**
 * `program` with every constant return value v replaced by `map(v)`. A program that returns a
 * computed value (`ret A`) cannot be rewritten this way: ProfilerError('BAD_INPUT') says where.
 */
export function mapReturns(program: ValidatedProgram, map: (value: number) => number): ValidatedProgram {
  const out = program.map((insn, pc): Instruction => {
    if (classOf(insn.code) !== RET) return insn;
    if (returnOperand(insn.code) === RET_A) {
      throw new ProfilerError(
        'BAD_INPUT',
        `the filter returns a computed value (ret A) at instruction ${pc}: its actions cannot be rewritten`,
      );
    }
    return { ...insn, code: RET | K, k: map(insn.k >>> 0) >>> 0 };
  });
  return validateProgram(out);
}

/** A return value no generated rule uses: RET_TRACE with data 0xfffe marks "fall through". */
const FALL_THROUGH: Action = { kind: 'trace', data: 0xfffe };

/**
 * `program` widened to also allow what `allowances` allows: the allowances are compiled into a
 * prefix whose "no match" exits jump into the original program, which runs unchanged. Everything it
 * refused before, except what the allowances allow, it still refuses.
 */
export function widenProgram(program: ValidatedProgram, allowances: Policy): ValidatedProgram {
  // Every ABI this machine can reach falls through, not only those with allowances: the prefix
  // kills nothing itself.
  const arches = [...new Set([...reachableArches(), ...allowances.arches])];
  const rules: Policy['rules'] = Object.fromEntries(
    arches.map((arch) => [arch, (allowances.rules[arch] ?? []).filter((r) => isPermissive(r.action))]),
  );
  const prefix = compilePolicy({ defaultAction: FALL_THROUGH, arches, rules });
  const marker = actionValue(FALL_THROUGH);
  const patched = prefix.map(
    (insn, pc): Instruction =>
      insn.code === (RET | K) && insn.k >>> 0 === marker
        ? { code: JMP | JA, jt: 0, jf: 0, k: prefix.length - pc - 1 }
        : insn,
  );
  const widened = validateProgram([...patched, ...program]);
  assertSeccompProgram(widened);
  return widened;
}
