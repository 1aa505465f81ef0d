// `check`: a committed profile as a regression test. Known syscalls run in-kernel at native speed;
// only new ones reach the tracer, and they are reported as drift.

import { EXIT, ProfilerError } from '../errors.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import {
  type ByteString,
  type EndedProcess,
  exitCodeOf,
  prepareTrace,
  type StopSignal,
  type TraceOutcome,
} from '../tracer/index.js';
import { assertWritable } from '../util/atomic-write.js';
import { displayBytes } from '../util/bytes.js';
import { loadProfile, writeWidenedProfile } from './profile.js';
import {
  type ProfileSummary,
  runWouldBlock,
  summarize,
  type TracedRunOptions,
  tracedRunOptionsOf,
} from './run.js';
import type { Violation } from './violations.js';

/** The tracer's options (cwd, env, signal, thread, grace, interrupts, inherit) pass through as TraceOptions has them. */
export interface CheckOptions extends TracedRunOptions {
  /** The committed profile (any format `enforce` accepts). */
  readonly profile: string;
  readonly command: readonly ByteString[];
  /** Widen the profile in place (atomically, same format) with whatever is new. */
  readonly update?: boolean;
  readonly generate?: Partial<GenerateOptions>;
}

export interface CheckResult {
  readonly profile: ProfileSummary;
  /** The command as text (bytes that are not UTF-8 show as U+FFFD). */
  readonly command: readonly string[];
  /** True when the workload made no syscall outside the profile. */
  readonly clean: boolean;
  /** New syscalls, per arch, with the executables that made them (and anything the filter killed). */
  readonly drift: readonly Violation[];
  /** How the main process ended. */
  readonly outcome: TraceOutcome;
  /** Processes still running when the run ended, which were then killed (grace period over). */
  readonly ended: readonly EndedProcess[];
  /** The stop signal that cut the run short: a clean run is then no verdict. */
  readonly interruptedBy?: StopSignal;
  /**
   * 1 on drift; else 128+N when a stop signal N cut the run short (no verdict); else the workload's
   * own exit status (0 when clean and successful).
   */
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
  const { result, violations: drift } = await runWouldBlock(
    profile,
    options.command,
    tracedRunOptionsOf(options),
  );
  const clean = drift.length === 0;
  let updated = false;
  if (!clean && options.update) {
    await writeWidenedProfile(profile, result.recording, options.profile, options.generate);
    updated = true;
  }
  const stopped = result.interruptedBy !== undefined || result.outcome.status === 'interrupted';
  return {
    profile: summarize(profile),
    command: options.command.map(displayBytes),
    clean,
    drift,
    outcome: result.outcome,
    ended: result.ended,
    ...(result.interruptedBy ? { interruptedBy: result.interruptedBy } : {}),
    exitCode: !clean
      ? EXIT.failure
      : stopped
        ? exitCodeOf({ status: 'interrupted' }, result.interruptedBy)
        : exitCodeOf(result.outcome),
    updated,
  };
}
