// `enforce`: run a workload under a profile's real filter and name every violation.
import { ProfilerError } from '../errors.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import { exitCodeOf, prepareTrace, type TraceOptions, type TraceOutcome, trace } from '../tracer/index.js';
import { assertWritable } from '../util/atomic-write.js';
import { enforcingFilter } from './filters.js';
import { loadProfile, writeWidenedProfile } from './profile.js';
import { type ProfileSummary, runWouldBlock, summarize, workloadOf } from './run.js';
import { type Violation, violationsFromEvents, violationsFromRecording } from './violations.js';

/** What to run and under which profile. */
export interface EnforceOptions {
  /** A Docker/OCI profile, a raw .bpf filter, or a recording (compiled with generate's options). */
  readonly profile: string;
  /** The workload; default: the command stored in the recording or the profile's metadata. */
  readonly command?: readonly string[];
  /** Default: the stored cwd when replaying the stored command, else process.cwd(). */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Let would-be violations run and list them all at the end. */
  readonly complain?: boolean;
  /** Complain mode: write the profile widened by what was seen here (same format, atomically). */
  readonly fix?: string;
  /** Options for compiling a recording given as the profile. */
  readonly generate?: Partial<GenerateOptions>;
  readonly signal?: AbortSignal;
  /**
   * Which thread traces: 'worker' (default) or 'main', which starts the workload ≈ 45 ms sooner but
   * reaps every child of the calling thread while it runs (TraceOptions.thread). The CLI uses 'main'.
   */
  readonly thread?: TraceOptions['thread'];
}

export interface EnforceResult {
  readonly mode: 'enforce' | 'complain';
  readonly profile: ProfileSummary;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly outcome: TraceOutcome;
  /** The workload's exit status mirrored; EXIT.violation (159) when the filter killed it. */
  readonly exitCode: number;
  /** Enforce: what was killed, trapped or refused (errno default). Complain: everything that would be. */
  readonly violations: readonly Violation[];
  /** Set when `fix` was given and written. */
  readonly fixed?: string;
}

/**
 * Runs the workload under the profile. Enforce mode installs the real filter with its real default
 * action; complain mode turns blocking outcomes into RET_TRACE and lets them run. Resolves when the
 * workload ends; rejects with ProfilerError on bad input, before anything runs or is written.
 */
export async function enforce(options: EnforceOptions): Promise<EnforceResult> {
  if (options.fix && !options.complain) {
    throw new ProfilerError(
      'USAGE',
      '`--fix` needs `--complain`: only complain mode sees every missing syscall',
    );
  }
  if (options.fix) assertWritable(options.fix);
  // Boot the tracer thread while the profile loads and compiles (src/tracer/warm.ts).
  if (options.thread !== 'main') prepareTrace();
  const profile = loadProfile(options.profile, options.generate);
  const { command, cwd } = workloadOf(profile, options.command, options.cwd);
  const complain = options.complain === true;
  const base = {
    profile: summarize(profile),
    command,
    cwd,
    mode: complain ? 'complain' : 'enforce',
  } as const;

  if (complain) {
    const { result, violations } = await runWouldBlock(profile, {
      argv: command,
      cwd,
      env: options.env,
      signal: options.signal,
      thread: options.thread,
    });
    let fixed: string | undefined;
    if (options.fix) {
      await writeWidenedProfile(profile, result.recording, options.fix, options.generate);
      fixed = options.fix;
    }
    return {
      ...base,
      outcome: result.outcome,
      exitCode: exitCodeOf(result.outcome),
      violations,
      ...(fixed ? { fixed } : {}),
    };
  }

  const { filter, errno } = enforcingFilter(profile);
  const result = await trace({
    argv: command,
    cwd,
    env: options.env,
    filter,
    onTraceStop: errno === undefined ? 'continue' : { errno },
    // Enforcement is a production-like run: never serialise the workload's threads.
    pin: false,
    signal: options.signal,
    thread: options.thread,
  });
  const violations = [
    ...violationsFromEvents(result.filterEvents),
    ...(errno === undefined ? [] : violationsFromRecording(result.recording, 'refused')),
  ];
  return { ...base, outcome: result.outcome, exitCode: exitCodeOf(result.outcome), violations };
}
