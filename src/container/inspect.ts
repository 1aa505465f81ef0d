// `inspect`: what seccomp really installed in a running process, read back from the kernel and
// decompiled, and whether it decides exactly as a given profile (did the engine apply my profile?).
import { reachableArches } from '../arch/index.js';
import { permissiveness, returnValue } from '../arch/seccomp.js';
import { installedRuntimes } from '../consumers/consumers.js';
import { describeAction } from '../enforcer/describe.js';
import { type BehaviourChange, behaviourDiff } from '../enforcer/diff.js';
import { readProfile } from '../enforcer/profile.js';
import { decodeProgram } from '../generator/bpf/encode.js';
import type { ValidatedProgram } from '../generator/bpf/types.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import { isPermissive } from '../generator/policy/types.js';
import { policyFromProgram } from '../generator/seccomp/analyze.js';
import {
  behaviourDifferences,
  type Decider,
  policyDecider,
  programDecider,
} from '../generator/seccomp/compare.js';
import { readInstalledFilters } from '../tracer/installed-filters.js';
import { runcApplies } from './runc-model.js';

/** One installed filter, decompiled. */
export interface InstalledFilter {
  readonly instructions: number;
  /** What most syscalls get. */
  readonly defaultAction: string;
  /** Per ABI, the syscalls some arguments let run (allow or log). */
  readonly allowed: Readonly<Record<string, readonly string[]>>;
  /** Syscalls the decompiled rules could only approximate (argument tests with no rule form). */
  readonly approximated: readonly string[];
}

export interface InspectResult {
  readonly pid: number;
  readonly mode: 'disabled' | 'strict' | 'filter';
  readonly noNewPrivileges: boolean;
  /** Newest first, as the kernel lists them; every one of them runs on every syscall. */
  readonly filters: readonly InstalledFilter[];
  /** With `against`: whether the installed filters decide every syscall as the profile does. */
  readonly against?: {
    readonly path: string;
    /** How the profile was read: as runc applies a Docker/OCI profile, or as it is. */
    readonly runtime: 'runc' | 'none';
    readonly identical: boolean;
    readonly differences: readonly BehaviourChange[];
  };
}

/** The filters together: the kernel applies the least permissive of their answers. */
function stackDecider(programs: readonly ValidatedProgram[]): Decider {
  const each = programs.map(programDecider);
  return {
    decide: (input) =>
      each.map((d) => d.decide(input)).reduce((a, b) => (permissiveness(b) < permissiveness(a) ? b : a)),
    dependsOnArgs: (arch, nr) => each.some((d) => d.dependsOnArgs(arch, nr)),
    constants: (arch, nr) => each.flatMap((d) => d.constants(arch, nr)),
  };
}

function decompile(program: ValidatedProgram): InstalledFilter {
  const policy = policyFromProgram(program, reachableArches());
  const allowed: Record<string, string[]> = {};
  for (const arch of policy.arches) {
    const names = new Set(
      (policy.rules[arch] ?? []).filter((r) => isPermissive(r.action)).map((r) => r.syscall),
    );
    allowed[arch] = [...names].sort();
  }
  const approximated = policy.provenance?.options.approximated;
  return {
    instructions: program.length,
    defaultAction: describeAction(policy.defaultAction),
    allowed,
    approximated: approximated ? approximated.split(',') : [],
  };
}

/**
 * Reads `pid`'s filters; with `against`, compares what they decide together with what that profile
 * decides (differences read `from` the installed filters `to` the profile).
 */
export function inspectProcess(
  pid: number,
  options: { against?: string; runtime?: 'runc' | 'none'; generate?: Partial<GenerateOptions> } = {},
): InspectResult {
  const state = readInstalledFilters(pid);
  const programs = state.filters.map((bytes) => decodeProgram(bytes));
  const base = {
    pid,
    mode: state.mode,
    noNewPrivileges: state.noNewPrivileges,
    filters: programs.map(decompile),
  };
  if (!options.against) return base;
  const profile = readProfile(options.against, options.generate);
  // A raw filter is installed as it is; Docker/OCI JSON goes through the runtime, which changes it.
  const runtime = profile.program || profile.kind === 'recording' ? 'none' : (options.runtime ?? 'runc');
  const theirs = profile.program
    ? programDecider(profile.program)
    : runtime === 'runc'
      ? runcApplies(
          profile.policy,
          installedRuntimes().consumers.find((c) => c.name.startsWith('runc'))?.knows,
        )
      : policyDecider(profile.policy);
  const ours: Decider =
    programs.length > 0
      ? stackDecider(programs)
      : { decide: () => returnValue('allow'), dependsOnArgs: () => false, constants: () => [] };
  const diff = behaviourDiff(behaviourDifferences(ours, theirs, reachableArches()));
  return {
    ...base,
    against: { path: options.against, runtime, identical: diff.identical, differences: diff.behaviour ?? [] },
  };
}
