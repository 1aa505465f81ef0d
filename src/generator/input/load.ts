// Reads any input `generate`/`enforce` accept and tells its kind from the content:
// a recording, a Docker profile, an OCI config/seccomp object, or a raw BPF filter.
import { readFileSync } from 'node:fs';
import { type Arch, reachableArches, syscallNumber } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { parseRecording } from '../../recording/io.js';
import { looksLikeRecording, type Recording } from '../../recording/schema.js';
import { decodeJsonBytes, parseJson } from '../../util/json.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import type { ValidatedProgram } from '../bpf/types.js';
import { describeOptions } from '../policy/describe-options.js';
import { policyFromRecordings } from '../policy/from-recordings.js';
import type { GenerateOptions } from '../policy/options.js';
import { runtimeSyscalls } from '../policy/runtime.js';
import type { Action, NumberRange, Policy, Rule } from '../policy/types.js';
import { actionValue } from '../policy/types.js';
import { policyFromProgram } from '../seccomp/analyze.js';
import { exactLift, readFilter } from './bpf.js';
import { ociSeccompObject } from './oci.js';
import { type ProfileMeta, policyFromSeccompJson } from './seccomp-json.js';

export type InputKind = 'recording' | 'docker' | 'oci' | 'bpf';

export type LoadedInput =
  | { kind: 'recording'; recording: Recording }
  | {
      kind: 'docker' | 'oci';
      policy: Policy;
      meta?: { command?: string[]; cwd?: string };
      /** What the profile said that the policy does not keep (names skipped per ABI). */
      notes?: readonly string[];
    }
  /** A raw filter: the program itself, and its lift (exact where summarizeProgram says so). */
  | { kind: 'bpf'; policy: Policy; program: ValidatedProgram; meta?: undefined };

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new ProfilerError('NO_INPUT', `cannot read ${path}: ${reason}`, { cause: error });
  }
}

function looksLikeText(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 9 || (b > 13 && b < 32)) return false;
  }
  return true;
}

/** Reads one input and detects its kind by content (never by file name). */
export function loadInput(path: string, opts: GenerateOptions): LoadedInput {
  const bytes = readBytes(path);
  if (bytes.length === 0)
    throw new ProfilerError('BAD_INPUT', `${path} is empty: not a recording, profile or BPF filter`);
  const text = decodeJsonBytes(bytes, path);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    const doc = parseJson(text, path);
    if (looksLikeRecording(doc)) return { kind: 'recording', recording: parseRecording(text, path) };
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && typeof doc !== 'bigint') {
      const isOci = 'ociVersion' in doc || 'linux' in doc;
      if (isOci || 'defaultAction' in doc) {
        const kind = isOci ? 'oci' : 'docker';
        const { policy, meta, notes } = policyFromSeccompJson(
          isOci ? ociSeccompObject(doc, path) : doc,
          path,
          opts,
          isOci ? 'oci' : 'docker',
        );
        const outerMeta = isOci ? metaOf(doc, path, opts) : undefined;
        const m = meta ?? outerMeta;
        return m ? { kind, policy, meta: m, notes } : { kind, policy, notes };
      }
    }
    throw new ProfilerError(
      'BAD_INPUT',
      `${path}: JSON, but neither a recording ("format": "seccomp-profiler.recording") nor a Docker/OCI seccomp profile ("defaultAction")`,
    );
  }
  if (looksLikeText(bytes) || bytes.length % 8 !== 0)
    throw new ProfilerError(
      'BAD_INPUT',
      `${path}: not a recording, Docker/OCI profile (JSON) or raw BPF filter (a multiple of 8 bytes)`,
    );
  const program = readFilter(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  return { kind: 'bpf', policy: policyFromProgram(program, opts.arches ?? reachableArches()), program };
}

function metaOf(doc: object, path: string, opts: GenerateOptions): ProfileMeta | undefined {
  const m = (doc as Record<string, unknown>)['x-seccomp-profiler'];
  if (m === undefined) return undefined;
  return policyFromSeccompJson(
    { defaultAction: 'SCMP_ACT_ALLOW', 'x-seccomp-profiler': m as never },
    path,
    opts,
    'oci',
  ).meta;
}

const ALLOW: Action = { kind: 'allow' };

function ruleKey(r: Rule): string {
  return `${r.nr}/${actionValue(r.action)}/${r.conditions.map((c) => `${c.arg}${c.op}${c.value}:${c.valueTwo ?? ''}`).join('&')}`;
}

/**
 * The union of policies: the first one's default action; rules appended per arch, duplicates
 * dropped; per arch the ranges of the first policy that has any.
 */
export function unionPolicies(policies: readonly Policy[]): Policy {
  const [first, ...rest] = policies;
  if (!first) throw new ProfilerError('USAGE', 'no inputs');
  if (!rest.length) return first;
  const arches: Arch[] = [...first.arches];
  const rules: Partial<Record<Arch, Rule[]>> = {};
  const ranges: Partial<Record<Arch, readonly NumberRange[]>> = {};
  for (const p of policies) {
    for (const arch of p.arches) {
      if (!arches.includes(arch)) arches.push(arch);
      const list = rules[arch] ?? [];
      rules[arch] = list;
      const seen = new Set(list.map(ruleKey));
      for (const r of p.rules[arch] ?? []) if (!seen.has(ruleKey(r))) list.push(r);
      const own = p.ranges?.[arch];
      if (own?.length && !ranges[arch]) ranges[arch] = own;
    }
  }
  return {
    defaultAction: first.defaultAction,
    arches,
    rules,
    ...(Object.keys(ranges).length ? { ranges } : {}),
  };
}

/** A converted profile gets the runtime set (allowed first) and the errno overrides, when asked for. */
function applyToProfile(policy: Policy, opts: GenerateOptions): Policy {
  const runtime = runtimeSyscalls(opts.runtime, opts.noNewPrivileges);
  if (!runtime.length && !opts.errnoOverrides.size) return policy;
  const rules: Partial<Record<Arch, Rule[]>> = {};
  for (const arch of policy.arches) {
    let list = [...(policy.rules[arch] ?? [])];
    const front: Rule[] = [];
    for (const name of runtime) {
      const nr = syscallNumber(arch, name);
      if (nr !== undefined && !opts.errnoOverrides.has(name))
        front.push({ syscall: name, nr, action: ALLOW, conditions: [] });
    }
    for (const [name, errno] of opts.errnoOverrides) {
      const nr = syscallNumber(arch, name);
      if (nr === undefined) continue;
      list = list.filter((r) => r.nr !== nr);
      front.push({ syscall: name, nr, action: { kind: 'errno', errno }, conditions: [] });
    }
    rules[arch] = [...front, ...list];
  }
  return { ...policy, rules };
}

/** Every input's policy, united: recordings become one policy (their union), profiles are converted. */
export function loadPolicy(
  paths: readonly string[],
  opts: GenerateOptions,
  /** Give converted profiles the runtime set too (default: only when opts.runtime is explicit). */
  { runtimeForProfiles = true }: { runtimeForProfiles?: boolean } = {},
): Policy {
  if (!paths.length)
    throw new ProfilerError('USAGE', 'no inputs: name a recording, a profile or a BPF filter');
  const recordings: Recording[] = [];
  const policies: Policy[] = [];
  let meta: ProfileMeta | undefined;
  const notes: string[] = [];
  for (const path of paths) {
    const input = loadInput(path, opts);
    if (input.kind === 'recording') recordings.push(input.recording);
    else {
      const policy = input.kind === 'bpf' ? exactLift(path, input, opts.lossy === true) : input.policy;
      policies.push(applyToProfile(policy, runtimeForProfiles ? opts : { ...opts, runtime: 'none' }));
      meta ??= input.meta;
      if (input.kind !== 'bpf')
        for (const note of input.notes ?? []) notes.push(paths.length > 1 ? `${path}: ${note}` : note);
    }
  }
  if (recordings.length) {
    const fromRecordings = policyFromRecordings(recordings, opts);
    if (!fromRecordings.arches.length)
      throw new ProfilerError('BAD_INPUT', `${paths.join(', ')}: the recordings hold no syscalls`);
    policies.unshift(fromRecordings);
    notes.unshift(...(fromRecordings.provenance?.notes ?? []));
  }
  const policy = unionPolicies(policies);
  const run = recordings[0]?.runs[0];
  const command = run?.command ?? meta?.command;
  const cwd = run?.cwd ?? meta?.cwd;
  const options = recordings.length ? describeOptions(opts) : conversionOptions(opts);
  return {
    ...policy,
    provenance: {
      tool: `${TOOL_NAME} ${TOOL_VERSION}`,
      sources: [...paths],
      options,
      ...(command ? { command } : {}),
      ...(cwd ? { cwd } : {}),
      ...(notes.length ? { notes } : {}),
    },
  };
}

function conversionOptions(opts: GenerateOptions): Record<string, string> {
  const all = describeOptions(opts);
  const out: Record<string, string> = {};
  for (const key of ['runtime', 'noNewPrivileges', 'errno', 'arches', 'caps', 'kernel'])
    if (all[key] !== undefined && !(key === 'runtime' && all[key] === 'none')) out[key] = all[key];
  return out;
}
