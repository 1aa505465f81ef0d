// `enforce`: run a workload under a profile's real filter and name every violation.
import { EXIT, ProfilerError } from '../errors.js';
import type { GenerateOptions } from '../generator/policy/options.js';
import {
  type ByteString,
  type EndedProcess,
  exitCodeOf,
  type FilterEvent,
  prepareTrace,
  type StopSignal,
  type TraceOutcome,
  type TraceResult,
  trace,
} from '../tracer/index.js';
import { assertWritable } from '../util/atomic-write.js';
import { displayBytes } from '../util/bytes.js';
import { enforcingFilter } from './filters.js';
import { loadProfile, writeWidenedProfile } from './profile.js';
import {
  type ProfileSummary,
  runWouldBlock,
  summarize,
  type TracedRunOptions,
  tracedRunOptionsOf,
  workloadOf,
} from './run.js';
import { type Violation, violationsFromEvents, violationsFromRecording } from './violations.js';

/**
 * What to run and under which profile. The tracer's options (cwd, env, signal, thread, grace,
 * interrupts, inherit) pass through as TraceOptions has them; `cwd` defaults to the stored cwd when
 * the stored command is replayed (with PWD set to it), else to where this process is.
 */
export interface EnforceOptions extends TracedRunOptions {
  /** A Docker/OCI profile, a raw .bpf filter, or a recording (compiled with generate's options). */
  readonly profile: string;
  /** The workload; default: the command stored in the recording or the profile's metadata. */
  readonly command?: readonly ByteString[];
  /** Let would-be violations run and list them all at the end. */
  readonly complain?: boolean;
  /** Complain mode: write the profile widened by what was seen here (same format, atomically). */
  readonly fix?: string;
  /** Options for compiling a recording given as the profile. */
  readonly generate?: Partial<GenerateOptions>;
}

export interface EnforceResult {
  readonly mode: 'enforce' | 'complain';
  readonly profile: ProfileSummary;
  /** The command as text (bytes that are not UTF-8 show as U+FFFD). */
  readonly command: readonly string[];
  readonly cwd: string;
  /** How the main process ended. */
  readonly outcome: TraceOutcome;
  /** Every process the filter ended, anywhere in the tree (pid, executable, syscall, ABI, arguments). */
  readonly killed: readonly FilterEvent[];
  /** Processes still running when the run ended, which were then killed (grace period over). */
  readonly ended: readonly EndedProcess[];
  /** The stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) that was passed on to the workload. */
  readonly interruptedBy?: StopSignal;
  /**
   * EXIT.violation (159) when the filter killed any process of the tree (enforce mode); else the main
   * process's exit status mirrored (128+N for signal N; 128+N of the stop signal if we had to kill it).
   */
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
  if (options.fix !== undefined && !options.complain) {
    throw new ProfilerError(
      'USAGE',
      '`--fix` needs `--complain`: only complain mode sees every missing syscall',
    );
  }
  if (options.fix !== undefined) assertWritable(options.fix);
  // Boot the tracer thread while the profile loads and compiles (src/tracer/warm.ts).
  if (options.thread !== 'main') prepareTrace();
  const profile = loadProfile(options.profile, options.generate);
  const { command, run: runOptions } = workloadOf(profile, options.command, tracedRunOptionsOf(options));
  const complain = options.complain === true;
  const ran = (result: TraceResult, violations: Violation[], killsFail: boolean) => ({
    profile: summarize(profile),
    command: command.map(displayBytes),
    cwd: result.recording.runs[0]?.cwd ?? '',
    mode: complain ? ('complain' as const) : ('enforce' as const),
    outcome: result.outcome,
    killed: result.filterKills,
    ended: result.ended,
    ...(result.interruptedBy ? { interruptedBy: result.interruptedBy } : {}),
    exitCode:
      killsFail && result.filterKills.length > 0
        ? EXIT.violation
        : exitCodeOf(result.outcome, result.interruptedBy),
    violations,
  });

  if (complain) {
    const { result, violations } = await runWouldBlock(profile, command, runOptions);
    let fixed: string | undefined;
    if (options.fix !== undefined) {
      await writeWidenedProfile(profile, result.recording, options.fix, options.generate);
      fixed = options.fix;
    }
    return { ...ran(result, violations, false), ...(fixed ? { fixed } : {}) };
  }

  const { filter, errno } = enforcingFilter(profile);
  const result = await trace({
    ...runOptions,
    argv: command,
    filter,
    onTraceStop: errno === undefined ? 'continue' : { errno },
    // Enforcement is a production-like run: never serialise the workload's threads.
    pin: false,
  });
  const violations = [
    ...violationsFromEvents(result.filterEvents),
    ...(errno === undefined ? [] : violationsFromRecording(result.recording, 'refused')),
  ];
  return ran(result, violations, true);
}
