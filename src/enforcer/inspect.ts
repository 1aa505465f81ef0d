// `diff` and `lint` on files of any supported kind (or on Policies directly).
import { readFileSync } from 'node:fs';
import { reachableArches } from '../arch/index.js';
import { decodeProgram } from '../generator/bpf/encode.js';
import { runFilter } from '../generator/bpf/interpreter.js';
import { jumpConstants } from '../generator/bpf/types.js';
import { checkConsumers, type LibseccompTarget } from '../generator/policy/consumer-check.js';
import type { SyscallInput } from '../generator/policy/evaluate.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import type { Policy } from '../generator/policy/types.js';
import { actionFromValue } from '../generator/policy/types.js';
import { summarizeProgram } from '../generator/seccomp/analyze.js';
import { behaviourDifferences, policyDecider, programDecider } from '../generator/seccomp/compare.js';
import { seccompData } from '../generator/seccomp/data.js';
import { behaviourDiff, diffPolicies, type PolicyDiff } from './diff.js';
import { type LintFinding, lintPolicy } from './lint.js';
import { readProfile } from './profile.js';

/** A profile file (Docker/OCI JSON, raw BPF, recording) or an in-memory Policy. */
export type ProfileSource = string | Policy;

function policyOf(source: ProfileSource, options?: Partial<GenerateOptions>): Policy {
  return typeof source === 'string' ? readProfile(source, options).policy : source;
}

/**
 * What changed from `a` to `b`. Two rule sets are compared rule by rule; when either side is a raw
 * BPF filter (whose lift may approximate), the two filters are compared by what they decide, syscall
 * by syscall, so diff agrees with what enforce installs.
 */
export async function diff(
  a: ProfileSource,
  b: ProfileSource,
  options: { generate?: Partial<GenerateOptions> } = {},
): Promise<PolicyDiff> {
  const [left, right] = [a, b].map((s) =>
    typeof s === 'string' ? readProfile(s, options.generate) : undefined,
  );
  if (!left?.program && !right?.program)
    return diffPolicies(policyOf(a, options.generate), policyOf(b, options.generate));
  const decider = (p: ReturnType<typeof readProfile> | undefined, source: ProfileSource) =>
    p?.program ? programDecider(p.program) : policyDecider(p?.policy ?? (source as Policy));
  const differences = behaviourDifferences(decider(left, a), decider(right, b), reachableArches());
  return behaviourDiff(differences);
}

/**
 * Dangerous allowances in a profile; raw BPF filters are also checked for a missing arch check.
 * A profile of names (Docker/OCI, a recording) is also checked against the libseccomp of the
 * runtimes that will read it (`libseccomp`, default 'auto': runc and crun as installed here), and
 * the names it lists that are no syscall on some of its ABIs are noted.
 */
export async function lint(
  source: ProfileSource,
  options: { generate?: Partial<GenerateOptions>; libseccomp?: LibseccompTarget } = {},
): Promise<LintFinding[]> {
  if (typeof source !== 'string') return lintPolicy(source);
  const profile = readProfile(source, options.generate);
  if (profile.kind !== 'bpf') {
    const consumers = checkConsumers(profile.policy, 'runtimes', options.libseccomp ?? 'auto');
    const note = (check: LintFinding['check'], message: string): LintFinding => ({
      check,
      severity: 'note',
      message,
    });
    return [
      ...lintPolicy(profile.policy),
      ...consumers.warnings.map((message): LintFinding => ({ check: 'libseccomp-skips', message })),
      ...consumers.notes.map((message) => note('libseccomp-skips', message)),
      ...(profile.notes ?? []).map((message) => note('other-abi-name', message)),
    ];
  }
  const program = decodeProgram(new Uint8Array(readFileSync(source)));
  const { checksArch } = summarizeProgram(program, reachableArches());
  // The lifted Policy loses argument rules: ask the program itself, probing with its own constants.
  const constants = jumpConstants(program).map((k) => BigInt(k));
  const evaluate = (input: SyscallInput) =>
    actionFromValue(runFilter(program, seccompData(input))) ?? { kind: 'kill-process' as const };
  return lintPolicy(profile.policy, { checksArch, evaluate, constants });
}
