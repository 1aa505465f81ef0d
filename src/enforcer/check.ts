// `check`: a committed profile as a regression test. Known syscalls run in-kernel at native speed;
// only new ones reach the tracer, and they are reported as drift.

import { resolve } from 'node:path';
import { EXIT, ProfilerError } from '../errors.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import { exitCodeOf, prepareTrace, type TraceOptions, type TraceOutcome } from '../tracer/index.js';
import { assertWritable } from '../util/atomic-write.js';
import { loadProfile, writeWidenedProfile } from './profile.js';
import { type ProfileSummary, runWouldBlock, summarize } from './run.js';
import type { Violation } from './violations.js';

export interface CheckOptions {
  /** The committed profile (any format `enforce` accepts). */
  readonly profile: string;
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Widen the profile in place (atomically, same format) with whatever is new. */
  readonly update?: boolean;
  readonly generate?: Partial<GenerateOptions>;
  readonly signal?: AbortSignal;
  /**
   * Which thread traces: 'worker' (default) or 'main', which starts the workload ≈ 45 ms sooner but
   * reaps every child of the calling thread while it runs (TraceOptions.thread). The CLI uses 'main'.
   */
  readonly thread?: TraceOptions['thread'];
}

export interface CheckResult {
  readonly profile: ProfileSummary;
  readonly command: readonly string[];
  /** True when the workload made no syscall outside the profile. */
  readonly clean: boolean;
  /** New syscalls, per arch, with the executables that made them. */
  readonly drift: readonly Violation[];
  readonly outcome: TraceOutcome;
  /** 1 on drift, else the workload's own exit status (0 when clean and successful). */
  readonly exitCode: number;
  /** True when `update` widened the profile. */
  readonly updated: boolean;
}

/** Runs `command` with the profile's syscalls allowed in-kernel and reports anything new. */
export async function check(options: CheckOptions): Promise<CheckResult> {
  if (options.command.length === 0) throw new ProfilerError('USAGE', 'check needs a command after `--`');
  if (options.update) assertWritable(options.profile);
  // Boot the tracer thread while the profile loads and compiles (src/tracer/warm.ts).
  if (options.thread !== 'main') prepareTrace();
  const profile = loadProfile(options.profile, options.generate);
  const { result, violations: drift } = await runWouldBlock(profile, {
    argv: options.command,
    cwd: resolve(options.cwd ?? process.cwd()),
    env: options.env,
    signal: options.signal,
    thread: options.thread,
  });
  const clean = drift.length === 0;
  let updated = false;
  if (!clean && options.update) {
    await writeWidenedProfile(profile, result.recording, options.profile, options.generate);
    updated = true;
  }
  return {
    profile: summarize(profile),
    command: options.command,
    clean,
    drift,
    outcome: result.outcome,
    exitCode: clean ? exitCodeOf(result.outcome) : EXIT.failure,
    updated,
  };
}
