// What `enforce` and `check` share at the CLI edge: the library call with this process's stop
// signals, inheritance and the workload's argv bytes (interrupt.ts), the trace on this (main)
// thread, the report on stderr and `--json` on stdout. The library decides the exit code.
import { type Inheritance, type Interrupts, releaseHungUpTerminal } from '../../src/tracer/index.js';
import { fromThisProcess, withInterrupt } from './interrupt.js';
import { jsonLine } from './json.js';

/** How one traced command runs and reports. */
export interface TracedCommand<R extends { readonly exitCode: number }> {
  /** The library call. This process starts no other children, so it traces on the main thread. */
  run(common: {
    readonly interrupts: Interrupts;
    readonly inherit: Inheritance;
    readonly thread: 'main';
    readonly grace?: number;
  }): Promise<R>;
  /** The human report, written to stderr. */
  report(result: R): string;
  /** With --json, the result also goes to stdout as one line. */
  readonly json: boolean;
  /** `--grace`, when given. */
  readonly grace: number | undefined;
}

/** Runs `cmd` and returns the process exit code. */
export function runTraced<R extends { readonly exitCode: number }>(cmd: TracedCommand<R>): Promise<number> {
  return fromThisProcess(async ({ interrupts, inherit }) => {
    const result = await cmd.run({
      interrupts,
      inherit,
      thread: 'main',
      ...(cmd.grace === undefined ? {} : { grace: cmd.grace }),
    });
    releaseHungUpTerminal(); // after a hangup, the report has nowhere to go
    process.stderr.write(cmd.report(result));
    if (cmd.json) process.stdout.write(jsonLine(result));
    return result.exitCode;
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
  update = false,
): Promise<number> {
  const { enforceContainer } = await import('../../src/container/enforce.js');
  const { formatContainerResult } = await import('../../src/container/report.js');
  return withInterrupt(async ({ signal }) => {
    const result = await enforceContainer({ profile, command, mode, signal, update });
    process.stderr.write(formatContainerResult(result));
    if (json) process.stdout.write(jsonLine(result));
    return result.exitCode;
  });
}
