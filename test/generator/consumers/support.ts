// Shared set-up for the real-consumer tests: a compiled workload, its recording (from our tracer),
// and profiles generated from it by the library.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type Format, generate } from '../../../src/generator/index.js';
import type { GenerateOptions } from '../../../src/generator/policy/options.js';
import { trace } from '../../../src/tracer/index.js';

export const WORKLOAD_C = fileURLToPath(new URL('./workload.c', import.meta.url));

export interface Workload {
  readonly dir: string;
  /** The compiled workload (prints "ok"; `forbidden` makes it call acct(2) first). */
  readonly binary: string;
  /** Its recording, written by our tracer from a run without `forbidden`. */
  readonly recording: string;
}

/** Compiles the workload into a fresh directory and records one normal run with trace(). */
export async function prepareWorkload(name: string): Promise<Workload> {
  const dir = mkdtempSync(join(tmpdir(), `profile-${name}-`));
  const binary = join(dir, 'workload');
  await execa('gcc', ['-O1', '-o', binary, WORKLOAD_C]);
  const result = await trace({ argv: [binary] });
  if (result.outcome.status !== 'exited' || result.outcome.code !== 0)
    throw new Error(`recording the workload failed: ${JSON.stringify(result.outcome)}`);
  const recording = join(dir, 'workload.recording.json');
  writeFileSync(recording, JSON.stringify(result.recording));
  return { dir, binary, recording };
}

/** Generates `format` from the workload's recording into `dir/name`. */
export async function generateFor(
  w: Workload,
  format: Format,
  name: string,
  opts: Partial<GenerateOptions> = {},
): Promise<string> {
  const output = join(w.dir, name);
  await generate({ inputs: [w.recording], format, output, ...opts });
  return output;
}
