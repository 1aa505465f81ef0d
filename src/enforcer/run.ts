// What enforce (complain mode) and check share: the workload to run, the profile's summary, and the
// run with the profile's allowances in-kernel and everything it would block traced and let through.
import { resolve } from 'node:path';
import { ProfilerError } from '../errors.js';
import { type TraceOptions, type TraceResult, trace } from '../tracer/index.js';
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

/** The command to run: the caller's, or the one the profile remembers (with its cwd). */
export function workloadOf(
  profile: LoadedProfile,
  command: readonly string[] | undefined,
  cwd: string | undefined,
): { command: readonly string[]; cwd: string } {
  if (command && command.length > 0) return { command, cwd: resolve(cwd ?? process.cwd()) };
  if (profile.command && profile.command.length > 0) {
    return { command: profile.command, cwd: resolve(cwd ?? profile.cwd ?? process.cwd()) };
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
  run: {
    argv: readonly string[];
    cwd: string;
    env?: NodeJS.ProcessEnv;
    signal?: AbortSignal;
    thread?: TraceOptions['thread'];
  },
): Promise<{ result: TraceResult; violations: Violation[] }> {
  const result = await trace({
    argv: run.argv,
    cwd: run.cwd,
    env: run.env,
    filter: tracingFilter(profile),
    onTraceStop: 'continue',
    pin: false,
    signal: run.signal,
    thread: run.thread,
  });
  const violations = [
    ...violationsFromEvents(result.filterEvents),
    ...violationsFromRecording(result.recording, 'would-block'),
  ];
  return { result, violations };
}
