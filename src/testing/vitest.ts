// A vitest matcher that turns a committed seccomp profile into a syscall regression test:
//
//   import { run } from 'seccomp-profiler/vitest';
//   test('server stays within its profile', async () => {
//     await expect(run(['node', 'server.js'])).toStayWithinProfile('seccomp.json');
//   });
//
// Importing this module registers the matcher. It runs the workload like `profile check`:
// the profile's syscalls are allowed in-kernel, anything new is traced and named in the failure.
import { expect } from 'vitest';
import { type CheckResult, check } from '../enforcer/check.js';
import { formatCheck } from '../enforcer/report.js';

/** A workload for the matcher to run. Nothing runs until the matcher does. */
export interface Workload {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Describes a command to run under a profile: `run(['node', 'server.js'], { cwd })`. */
export function run(
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Workload {
  if (argv.length === 0) throw new TypeError('run() needs a command');
  return { argv, ...options };
}

export interface StayWithinOptions {
  /** The exit code the workload must end with; 'any' accepts every ending. Default 0. */
  readonly exitCode?: number | 'any';
}

function isWorkload(value: unknown): value is Workload {
  return typeof value === 'object' && value !== null && Array.isArray((value as Workload).argv);
}

function outcomeText(result: CheckResult): string {
  const o = result.outcome;
  switch (o.status) {
    case 'exited':
      return `exited with ${o.code}`;
    case 'signaled':
      return `was killed by ${o.signal}`;
    case 'killed-by-filter':
      return `was killed by the filter in ${o.event.name}`;
    case 'interrupted':
      return 'was interrupted';
  }
}

expect.extend({
  async toStayWithinProfile(received: unknown, profile: string, options: StayWithinOptions = {}) {
    const value = await received;
    const workload: Workload | undefined = Array.isArray(value)
      ? { argv: value as string[] }
      : isWorkload(value)
        ? value
        : undefined;
    if (!workload) {
      throw new TypeError('toStayWithinProfile expects run([...argv]) or an argv array');
    }
    const result = await check({
      profile,
      command: workload.argv,
      ...(workload.cwd ? { cwd: workload.cwd } : {}),
      ...(workload.env ? { env: workload.env } : {}),
    });
    const want = options.exitCode ?? 0;
    const exitOk = want === 'any' || (result.outcome.status === 'exited' && result.outcome.code === want);
    const command = workload.argv.join(' ');
    return {
      pass: result.clean && exitOk,
      message: () => {
        if (!result.clean) return `expected \`${command}\` to stay within ${profile}\n${formatCheck(result)}`;
        if (!exitOk)
          return `\`${command}\` stayed within ${profile} but ${outcomeText(result)} (expected exit ${want})`;
        return `expected \`${command}\` to make a syscall outside ${profile}, but it stayed within`;
      },
      actual: result.drift.map((v) => `${v.arch} ${v.syscall}`),
      expected: [],
    };
  },
});

declare module 'vitest' {
  interface Assertion<T> {
    /** Runs the workload with `profile` allowed in-kernel; fails naming every syscall outside it. */
    toStayWithinProfile(profile: string, options?: StayWithinOptions): Promise<T>;
  }
}
