// A profile file as the enforcer sees it: its kind, its Policy, and the command it remembers.
// Parsing is the generator's job (loadInput); this module adds the checks that make a profile
// usable on this machine, and writes widened profiles back in their own format.
import { readFileSync, statSync } from 'node:fs';
import { type Arch, nativeArch } from '../arch/index.js';
import { ProfilerError } from '../errors.js';
import { encodeProgram } from '../generator/bpf/encode.js';
import { runFilter } from '../generator/bpf/interpreter.js';
import type { ValidatedProgram } from '../generator/bpf/types.js';
import { loadInput } from '../generator/input/load.js';
import { refusedCalls } from '../generator/policy/coverage.js';
import { evaluatePolicy } from '../generator/policy/evaluate.js';
import { policyFromRecordings } from '../generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from '../generator/policy/options.js';
import type { Policy, Rule } from '../generator/policy/types.js';
import { actionFromValue, isPermissive } from '../generator/policy/types.js';
import { seccompData } from '../generator/seccomp/data.js';
import { mergeRecordings } from '../recording/merge.js';
import type { Recording } from '../recording/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { ByteString } from '../util/bytes.js';

export type ProfileKind = 'recording' | 'docker' | 'oci' | 'bpf';

/** A loaded profile. `recording` is set for recordings (compiled with generate's options). */
export interface LoadedProfile {
  readonly path: string;
  readonly kind: ProfileKind;
  readonly policy: Policy;
  readonly recording?: Recording;
  /** For a raw filter: the program itself, which enforce, complain and check run as it is. */
  readonly program?: ValidatedProgram;
  /** The command and cwd the profile was made from, if it says (a recording's exact bytes). */
  readonly command?: readonly ByteString[];
  readonly cwd?: ByteString;
  /** What a Docker/OCI profile said that its policy does not keep (names skipped per ABI). */
  readonly notes?: readonly string[];
}

/** A recorded run's command and cwd: the exact bytes when the run kept them (not UTF-8), else the text. */
function storedWorkload(run: Recording['runs'][number] | undefined): Pick<LoadedProfile, 'command' | 'cwd'> {
  if (!run) return {};
  const bytes = (b64: string) => Buffer.from(b64, 'base64');
  return {
    command: run.commandBytes?.length === run.command.length ? run.commandBytes.map(bytes) : run.command,
    cwd: run.cwdBytes === undefined ? run.cwd : bytes(run.cwdBytes),
  };
}

function fail(message: string): never {
  throw new ProfilerError('BAD_INPUT', message);
}

/**
 * Reads a Docker/OCI profile, a raw BPF filter or a recording, whatever its arches.
 * Throws one-line ProfilerErrors for a missing, empty or corrupt file.
 */
export function readProfile(path: string, options: Partial<GenerateOptions> = {}): LoadedProfile {
  const opts: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...options };
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProfilerError(
      'NO_INPUT',
      `cannot read profile ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      { cause: error },
    );
  }
  if (size === 0) fail(`${path} is empty: not a profile, filter or recording`);
  const input = loadInput(path, opts);
  const loaded: LoadedProfile =
    input.kind === 'recording'
      ? {
          path,
          kind: 'recording',
          policy: policyFromRecordings([input.recording], opts),
          recording: input.recording,
          ...storedWorkload(input.recording.runs[0]),
        }
      : input.kind === 'bpf'
        ? { path, kind: 'bpf', policy: input.policy, program: input.program }
        : {
            path,
            kind: input.kind,
            policy: input.policy,
            command: input.meta?.command,
            cwd: input.meta?.cwd,
            notes: input.notes ?? [],
          };
  return loaded;
}

/** readProfile, then refuses a profile that cannot run anything on this machine. */
export function loadProfile(path: string, options: Partial<GenerateOptions> = {}): LoadedProfile {
  const loaded = readProfile(path, options);
  assertRunnable(loaded);
  return loaded;
}

/** A profile that does not cover this machine's arch, or allows nothing, is refused up front. */
export function assertRunnable(profile: Pick<LoadedProfile, 'path' | 'policy'>): void {
  const native = nativeArch();
  const { policy, path } = profile;
  if (!policy.arches.includes(native)) {
    const arches = policy.arches.length ? policy.arches.join(', ') : 'no architecture';
    fail(`${path} is a profile for ${arches}; this machine runs ${native}`);
  }
  const rules = policy.rules[native] ?? [];
  if (!isPermissive(policy.defaultAction) && !rules.some((r) => isPermissive(r.action))) {
    fail(`${path} allows no syscall on ${native}: nothing can run under it (empty profile?)`);
  }
}

function sawAnything(rec: Recording): boolean {
  return Object.values(rec.syscalls).some((calls) => calls && Object.keys(calls).length > 0);
}

/**
 * Exactly what `seen` needs, as generate would write it (argument rules included), without the
 * baseline, runtime set, errno overrides or ENOSYS for newer syscalls that the profile being widened
 * already decided on.
 */
export function allowancesFor(seen: Recording, options: Partial<GenerateOptions> = {}): Policy {
  return policyFromRecordings([seen], {
    ...DEFAULT_GENERATE_OPTIONS,
    ...options,
    baseline: false,
    runtime: 'none',
    errnoOverrides: new Map(),
    arches: undefined,
    enosysNewer: false,
  });
}

/**
 * `policy` widened to also allow what `seen` recorded (argument rules as generate would write them).
 * New rules go before the existing ones of their syscall: a call they match is allowed even where a
 * rule that refused it came first, and any other call meets the old rules as before, so everything
 * allowed before stays allowed.
 */
export function widenPolicy(policy: Policy, seen: Recording, options: Partial<GenerateOptions> = {}): Policy {
  if (!sawAnything(seen)) return policy;
  const extra = allowancesFor(seen, options);
  const arches = [...policy.arches];
  const rules: Partial<Record<Arch, readonly Rule[]>> = { ...policy.rules };
  for (const arch of extra.arches) {
    const added = (extra.rules[arch] ?? []).filter((r) => isPermissive(r.action));
    if (added.length === 0) continue;
    if (!arches.includes(arch)) arches.push(arch);
    rules[arch] = [...added, ...(rules[arch] ?? [])];
  }
  return { ...policy, arches, rules };
}

/** Throws unless `decide` lets every call of `seen` run: a widening that changes nothing must not pass. */
function assertAllows(
  profile: LoadedProfile,
  seen: Recording,
  decide: Parameters<typeof refusedCalls>[1],
): void {
  const refused = refusedCalls([seen], decide);
  if (refused.length)
    fail(`cannot widen ${profile.path}: the widened profile would still refuse ${refused.join(', ')}`);
}

/**
 * Writes `profile` widened by `seen` to `out`, atomically, in the profile's own format, after
 * checking that the result allows every call `seen` holds (else ProfilerError, nothing written).
 * A Docker/OCI profile cannot take a syscall number without a name: that fails too (exit 65).
 * The emitters load lazily: `check` on a clean run never needs them (start-up time counts there).
 */
export async function writeWidenedProfile(
  profile: LoadedProfile,
  seen: Recording,
  out: string,
  options: Partial<GenerateOptions> = {},
): Promise<void> {
  if (!sawAnything(seen)) {
    // Nothing to add: OUT is the profile as it was, byte for byte.
    writeFileAtomic(out, readFileSync(profile.path));
    return;
  }
  const opts: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...options };
  if (profile.kind === 'recording') {
    const merged = mergeRecordings(profile.recording ? [profile.recording, seen] : [seen]);
    const policy = policyFromRecordings([merged], opts);
    assertAllows(profile, seen, (input) => evaluatePolicy(policy, input));
    writeFileAtomic(out, `${JSON.stringify(merged, null, 2)}\n`);
    return;
  }
  if (profile.program) {
    const { widenProgram } = await import('../generator/seccomp/rewrite.js');
    const widened = widenProgram(profile.program, allowancesFor(seen, options));
    assertAllows(
      profile,
      seen,
      (input) => actionFromValue(runFilter(widened, seccompData(input))) ?? { kind: 'kill-process' },
    );
    writeFileAtomic(out, encodeProgram(widened));
    return;
  }
  const { emitPolicy } = await import('../generator/emit/index.js');
  const widened = widenPolicy(profile.policy, seen, options);
  assertAllows(profile, seen, (input) => evaluatePolicy(widened, input));
  let content: string | Uint8Array;
  try {
    content = emitPolicy(widened, profile.kind);
  } catch (error) {
    if (error instanceof ProfilerError) fail(`cannot widen ${profile.path}: ${error.message}`);
    throw error;
  }
  writeFileAtomic(out, content);
}
