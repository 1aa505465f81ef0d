// What `enforce` and `check` share at the CLI edge: the library call with SIGINT/SIGTERM turned into
// an AbortSignal, the trace on this (main) thread, the report on stderr, `--json` on stdout, and
// the exit code of an interrupted run.
import type { TraceOutcome } from '../../src/tracer/index.js';
import { withInterrupt } from './interrupt.js';
import { jsonLine } from './json.js';

/** How one traced command runs and reports. */
export interface TracedCommand<R extends { readonly outcome: TraceOutcome; readonly exitCode: number }> {
  /** The library call. This process starts no other children, so it traces on the main thread. */
  run(common: { readonly signal: AbortSignal; readonly thread: 'main' }): Promise<R>;
  /** The human report, written to stderr. */
  report(result: R): string;
  /** With --json, the result also goes to stdout as one line. */
  readonly json: boolean;
  /** True when an interrupted run still has a verdict of its own (check's drift); default false. */
  readonly verdictWhenInterrupted?: (result: R) => boolean;
}

/** Runs `cmd` and returns the process exit code. */
export function runTraced<R extends { readonly outcome: TraceOutcome; readonly exitCode: number }>(
  cmd: TracedCommand<R>,
): Promise<number> {
  return withInterrupt(async ({ signal, interruptedExitCode }) => {
    const result = await cmd.run({ signal, thread: 'main' });
    process.stderr.write(cmd.report(result));
    if (cmd.json) process.stdout.write(jsonLine(result));
    const interrupted = result.outcome.status === 'interrupted' && !cmd.verdictWhenInterrupted?.(result);
    return interrupted ? interruptedExitCode() : result.exitCode;
  });
}

/** `docker|podman …`: enforce and check run it through the container machinery (src/container). */
export function isContainerRun(command: readonly string[]): boolean {
  return ['docker', 'podman'].includes(command[0]?.split('/').pop() ?? '');
}

/** `enforce|check -- docker|podman run …`: the container under the profile, violations named. */
export async function runContainer(
  command: string[],
  profile: string,
  mode: 'enforce' | 'check',
  json: boolean,
): Promise<number> {
  const { enforceContainer } = await import('../../src/container/enforce.js');
  const { formatContainerResult } = await import('../../src/container/report.js');
  return withInterrupt(async ({ signal }) => {
    const result = await enforceContainer({ profile, command, mode, signal });
    process.stderr.write(formatContainerResult(result));
    if (json) process.stdout.write(jsonLine(result));
    return result.exitCode;
  });
}
