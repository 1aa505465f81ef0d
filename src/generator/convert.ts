// Converting a raw filter into another format keeps exactly what it does, or fails naming what the
// format cannot say (unless the user asks for an approximation with `--lossy`). The lift of the
// program is already checked in input/bpf.ts; this checks the file the format makes of it, as its
// consumer reads it: Docker/OCI/k8s JSON give every listed ABI every name, systemd keeps no
// argument tests.
import { reachableArches } from '../arch/index.js';
import { ProfilerError } from '../errors.js';
import type { JsonValue } from '../util/json.js';
import type { ValidatedProgram } from './bpf/types.js';
import type { Format } from './emit/index.js';
import { toScmpProfile } from './emit/seccomp-json.js';
import { policyFromSeccompJson } from './input/seccomp-json.js';
import type { GenerateOptions } from './policy/options.js';
import type { Policy } from './policy/types.js';
import { seccompReturnName } from './seccomp/annotate.js';
import {
  type BehaviourDifference,
  behaviourDifferences,
  policyDecider,
  programDecider,
} from './seccomp/compare.js';

/** What a consumer of `format` makes of `policy`, when that can be computed. */
function asReadBack(policy: Policy, format: Format, opts: GenerateOptions): Policy | undefined {
  switch (format) {
    case 'docker':
    case 'oci':
    case 'k8s': {
      // The object the emitter writes, read by the same parser that reads the file (64-bit exact).
      const doc = toScmpProfile(policy) as unknown as JsonValue;
      return policyFromSeccompJson(doc, format, { ...opts, arches: policy.arches }, 'oci').policy;
    }
    case 'systemd':
      return {
        ...policy,
        rules: Object.fromEntries(
          Object.entries(policy.rules).map(([a, rules]) => [
            a,
            (rules ?? []).map((r) => ({ ...r, conditions: [] })),
          ]),
        ),
      };
    default:
      return policy;
  }
}

function describe(d: BehaviourDifference): string {
  const args = d.args
    ?.map((v, i) => (v === 0n ? undefined : `arg${i}=0x${v.toString(16)}`))
    .filter((x) => x !== undefined)
    .join(', ');
  return `${d.arch} ${d.syscall}${args ? ` (${args})` : ''}: the filter ${seccompReturnName(d.left)}, ${seccompReturnName(d.right)} in the output`;
}

/** Throws BAD_INPUT when `policy` written as `format` would not decide as `program` does. */
export function assertExactConversion(
  source: string,
  program: ValidatedProgram,
  policy: Policy,
  format: Format,
  opts: GenerateOptions,
): void {
  const readBack = asReadBack(policy, format, opts);
  if (!readBack) return;
  const differences = behaviourDifferences(
    programDecider(program),
    policyDecider(readBack),
    reachableArches(),
    4,
  );
  if (differences.length === 0) return;
  throw new ProfilerError(
    'BAD_INPUT',
    `${source}: as ${format} this filter would decide differently (${differences.map(describe).join('; ')}); keep it as bpf, or pass --lossy to accept the approximation`,
  );
}
