// What enforce (complain mode) and check share: the workload to run, the profile's summary, the
// tracer options they pass through, and the run with the profile's allowances in-kernel and
// everything it would block traced and let through.
import { ProfilerError } from '../errors.js';
import { type ByteString, envEntries, type TraceOptions, type TraceResult, trace } from '../tracer/index.js';
import { describeAction } from './describe.js';
import { tracingFilter } from './filters.js';
import type { LoadedProfile } from './profile.js';
import { type Violation, violationsFromEvents, violationsFromRecording } from './violations.js';

/** Where the profile came from and what it does by default. */
export interface ProfileSummary {
  readonly path: string;
  readonly kind: LoadedProfile['kind'];
  readonly defaultAction: string;
}

/** The tracer's options that enforce and check pass through unchanged (see TraceOptions). */
export type TracedRunOptions = Pick<
  TraceOptions,
  'cwd' | 'env' | 'signal' | 'thread' | 'grace' | 'interrupts' | 'inherit'
>;

/** Just the TracedRunOptions of a larger options object (what is passed on to trace()). */
export function tracedRunOptionsOf(options: TracedRunOptions): TracedRunOptions {
  const { cwd, env, signal, thread, grace, interrupts, inherit } = options;
  return Object.fromEntries(
    Object.entries({ cwd, env, signal, thread, grace, interrupts, inherit }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as TracedRunOptions;
}

/**
 * The command to run: the caller's (in `cwd`, default where we are), or the one the profile
 * remembers, replayed in its recorded cwd with PWD set to it, as the shell that started it had.
 */
export function workloadOf(
  profile: LoadedProfile,
  command: readonly ByteString[] | undefined,
  run: TracedRunOptions,
): { command: readonly ByteString[]; run: TracedRunOptions } {
  if (command && command.length > 0) return { command, run };
  if (profile.command && profile.command.length > 0) {
    const cwd = run.cwd ?? profile.cwd;
    if (cwd === undefined) return { command: profile.command, run };
    const entries = Array.isArray(run.env)
      ? run.env
      : envEntries((run.env as NodeJS.ProcessEnv | undefined) ?? process.env);
    const pwd = Buffer.concat([Buffer.from('PWD='), Buffer.from(cwd)]);
    const env = [...entries.filter((e) => !Buffer.from(e).subarray(0, 4).equals(Buffer.from('PWD='))), pwd];
    return { command: profile.command, run: { ...run, cwd, env } };
  }
  throw new ProfilerError(
    'USAGE',
    `no command given and ${profile.path} does not record one: pass it after \`--\``,
  );
}

export function summarize(profile: LoadedProfile): ProfileSummary {
  return {
    path: profile.path,
    kind: profile.kind,
    defaultAction: describeAction(profile.policy.defaultAction),
  };
}

/**
 * Runs `argv` with the profile's allowances in-kernel and everything it would block traced and let
 * through (tracingPolicy): the run complain mode and `check` share. Returns the trace and, deduplicated,
 * what would have been blocked.
 */
export async function runWouldBlock(
  profile: LoadedProfile,
  argv: readonly ByteString[],
  run: TracedRunOptions,
): Promise<{ result: TraceResult; violations: Violation[] }> {
  const result = await trace({
    ...run,
    argv,
    filter: tracingFilter(profile),
    onTraceStop: 'continue',
    pin: false,
  });
  const violations = [
    ...violationsFromEvents(result.filterEvents),
    ...violationsFromRecording(result.recording, 'would-block'),
  ];
  return { result, violations };
}
