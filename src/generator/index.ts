// `generate()`: inputs (recordings, profiles, raw BPF) → one Policy → one output format.
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { emitPolicy, type Format } from './emit/index.js';
import { loadPolicy } from './input/load.js';
import { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from './policy/options.js';
import type { Policy } from './policy/types.js';

/** Formats a container engine loads: their profiles get the runtimes' post-filter sets by default. */
export const CONTAINER_FORMATS: readonly Format[] = ['docker', 'oci', 'k8s'];

export type GenerateRequest = {
  inputs: string[];
  format: Format;
  output?: string;
} & Partial<GenerateOptions>;

/**
 * Loads and unites `inputs`, emits `format`, and writes it atomically to `output` when given
 * (checked for writability before any work). An explicit `defaultAction` also replaces the default
 * of converted Docker/OCI/BPF inputs.
 */
export async function generate(
  req: GenerateRequest,
): Promise<{ policy: Policy; content: string | Uint8Array }> {
  const { inputs, format, output, ...rest } = req;
  if (output) assertWritable(output);
  const opts: { -readonly [K in keyof GenerateOptions]: GenerateOptions[K] } = {
    ...DEFAULT_GENERATE_OPTIONS,
    ...stripUndefined(rest),
  };
  // Defaults follow the target: a container profile must let runc and crun start the container.
  if (opts.runtime === 'auto') opts.runtime = CONTAINER_FORMATS.includes(format) ? 'any' : 'none';
  let policy = loadPolicy(inputs, opts);
  if (rest.defaultAction) policy = { ...policy, defaultAction: rest.defaultAction };
  const content = emitPolicy(policy, format);
  if (output) writeFileAtomic(output, content);
  return { policy, content };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type { Format } from './emit/index.js';
export { emitPolicy, FORMATS, isBinaryFormat, parseFormat } from './emit/index.js';
export { parseDockerProfile } from './input/docker.js';
export { loadInput, loadPolicy } from './input/load.js';
export { parseOciSeccomp } from './input/oci.js';
export { policyFromRecordings } from './policy/from-recordings.js';
export { DEFAULT_GENERATE_OPTIONS, type GenerateOptions } from './policy/options.js';
