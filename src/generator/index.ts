// `generate()`: inputs (recordings, profiles, raw BPF) → one Policy → one output format.
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ValidatedProgram } from './bpf/types.js';
import { assertExactConversion } from './convert.js';
import { rangeNotes } from './emit/by-name.js';
import { emitPolicy, type Format, isProgramFormat } from './emit/index.js';
import { loadInput, loadPolicy } from './input/load.js';
import { checkConsumers, type LibseccompTarget, type NameReaders } from './policy/consumer-check.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from './policy/options.js';
import type { Policy } from './policy/types.js';

/** Formats a container engine loads: their profiles get the runtimes' post-filter sets by default. */
export const CONTAINER_FORMATS: readonly Format[] = ['docker', 'oci', 'k8s'];

export type GenerateRequest = {
  inputs: string[];
  format: Format;
  output?: string;
  /**
   * Whose libseccomp to check the profile's names against (default 'auto': runc and crun as
   * installed here for docker/oci/k8s, the system's library for systemd and libseccomp C).
   */
  libseccomp?: LibseccompTarget;
} & Partial<GenerateOptions>;

/** What generate made, and what it has to say about it (one line each, for stderr). */
export interface GenerateResult {
  readonly policy: Policy;
  readonly content: string | Uint8Array;
  /** Problems: names a consumer's libseccomp would skip although the profile allows them. */
  readonly warnings: readonly string[];
  /** Remarks the output format has no room for (bpf), and consumer notes. */
  readonly notes: readonly string[];
}

/** Who resolves a format's syscall names with libseccomp; undefined for formats of numbers. */
const READERS: Readonly<Partial<Record<Format, NameReaders>>> = {
  docker: 'runtimes',
  oci: 'runtimes',
  k8s: 'runtimes',
  systemd: 'system',
  libseccomp: 'system',
};

/**
 * Loads and unites `inputs`, emits `format`, and writes it atomically to `output` when given
 * (checked for writability before any work). An explicit `defaultAction` also replaces the default
 * of converted Docker/OCI/BPF inputs.
 */
export async function generate(req: GenerateRequest): Promise<GenerateResult> {
  const { inputs, format, output, libseccomp, ...rest } = req;
  if (output !== undefined) assertWritable(output);
  const opts: { -readonly [K in keyof GenerateOptions]: GenerateOptions[K] } = {
    ...DEFAULT_GENERATE_OPTIONS,
    ...stripUndefined(rest),
  };
  // Defaults follow the target: a container profile made from a recording must let runc and crun
  // start the container. A converted profile gets a runtime set only when one is asked for: a
  // conversion must not widen what the profile allows.
  const askedRuntime = rest.runtime !== undefined && rest.runtime !== 'auto';
  if (opts.runtime === 'auto') opts.runtime = CONTAINER_FORMATS.includes(format) ? 'any' : 'none';
  const raw = passThrough(inputs, format, rest, opts);
  let policy = raw?.policy ?? loadPolicy(inputs, opts, { runtimeForProfiles: askedRuntime });
  if (rest.defaultAction) policy = { ...policy, defaultAction: rest.defaultAction };
  if (!raw && !opts.lossy && inputs.length === 1) {
    const input = loadInput(inputs[0]!, opts);
    if (input.kind === 'bpf') assertExactConversion(inputs[0]!, input.program, policy, format, opts);
  }
  const content = emitPolicy(policy, format, raw?.program);
  if (output !== undefined) writeFileAtomic(output, content);
  const readers = READERS[format];
  const checked = readers
    ? checkConsumers(policy, readers, libseccomp ?? 'auto')
    : { warnings: [], notes: [] };
  // A raw filter has no room for provenance: what the file would have said goes to stderr.
  const unsaid =
    format === 'bpf' ? [...(policy.provenance?.notes ?? []), ...rangeNotes(policy, true, format)] : [];
  return { policy, content, warnings: checked.warnings, notes: [...unsaid, ...checked.notes] };
}

/**
 * One raw filter written as bpf, bpf-c or disasm with nothing asked to change: the program itself,
 * byte for byte (its lift, which may approximate, gives only the provenance).
 */
function passThrough(
  inputs: readonly string[],
  format: Format,
  asked: Partial<GenerateOptions>,
  opts: GenerateOptions,
): { policy: Policy; program: ValidatedProgram } | undefined {
  const runtime = asked.runtime ?? 'auto';
  const changes =
    asked.defaultAction ||
    asked.arches ||
    asked.errnoOverrides?.size ||
    (runtime !== 'auto' && runtime !== 'none');
  if (inputs.length !== 1 || !isProgramFormat(format) || changes) return undefined;
  const input = loadInput(inputs[0]!, opts);
  if (input.kind !== 'bpf') return undefined;
  const provenance = { tool: `${TOOL_NAME} ${TOOL_VERSION}`, sources: [...inputs], options: {} };
  return { policy: { ...input.policy, provenance }, program: input.program };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type { Format } from './emit/index.js';
export { emitPolicy, FORMATS, isBinaryFormat, parseFormat } from './emit/index.js';
export { parseDockerProfile } from './input/docker.js';
export { loadInput, loadPolicy } from './input/load.js';
export { parseOciSeccomp } from './input/oci.js';
export type { LibseccompTarget } from './policy/consumer-check.js';
export { policyFromRecordings } from './policy/from-recordings.js';
export { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from './policy/options.js';
