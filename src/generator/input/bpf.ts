// Raw BPF filters as inputs: read as the kernel would take them, and lifted to rules only when the
// rules decide exactly as the program does (a conversion must never silently change a filter).
import { ProfilerError } from '../../errors.js';
import { decodeProgram } from '../bpf/encode.js';
import type { ValidatedProgram } from '../bpf/types.js';
import type { Policy } from '../policy/types.js';
import { seccompReturnName } from '../seccomp/annotate.js';
import { behaviourDifferences, policyDecider, programDecider } from '../seccomp/compare.js';
import { assertSeccompProgram } from '../seccomp/validate.js';

/** A raw filter as the kernel would take it (classic BPF and seccomp's load rules); errors name the file. */
export function readFilter(path: string, bytes: Uint8Array): ValidatedProgram {
  try {
    const program = decodeProgram(bytes);
    assertSeccompProgram(program);
    return program;
  } catch (error) {
    if (error instanceof ProfilerError)
      throw new ProfilerError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * The lifted rules of a raw filter, refused when they would not decide exactly as the program
 * does (unless `lossy`): a conversion must never silently widen or narrow a filter.
 */
export function exactLift(
  path: string,
  input: { policy: Policy; program: ValidatedProgram },
  lossy: boolean,
): Policy {
  if (lossy) return input.policy;
  const differences = behaviourDifferences(
    programDecider(input.program),
    policyDecider(input.policy),
    input.policy.arches,
    4,
  );
  if (differences.length === 0) return input.policy;
  const shown = differences.map(
    (d) =>
      `${d.arch} ${d.syscall}${d.args ? ` (${describeArgs(d.args)})` : ''}: the filter ${seccompReturnName(d.left)}, rules ${seccompReturnName(d.right)}`,
  );
  throw new ProfilerError(
    'BAD_INPUT',
    `${path}: this filter cannot be written as rules without changing what it does (${shown.join('; ')}); keep it as bpf, or pass --lossy to accept the approximation`,
  );
}

function describeArgs(args: readonly bigint[]): string {
  return args
    .map((v, i) => (v === 0n ? undefined : `arg${i}=0x${v.toString(16)}`))
    .filter((x): x is string => x !== undefined)
    .join(', ');
}
