// What every backend checks before anything runs: the command resolves to an executable, the
// working directory exists, no argument holds a NUL; and where the launchers are.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProfilerError } from '../errors.js';
import { runtimeFile } from '../util/runtime-path.js';
import { resolveCommand } from './command.js';

/** A workload ready to hand to a launcher (see job.ts). */
export interface Workload {
  /** Resolved absolute path of the workload's executable. */
  readonly path: string;
  readonly argv: readonly string[];
  /** `NAME=value` strings, in order. */
  readonly env: readonly string[];
  readonly cwd: string;
  readonly nodePath: string;
  readonly launcherPath: string;
  /** The compiled launcher.c, when the build made one (tried first; the Node launcher is the fallback). */
  readonly nativeLauncherPath: string | undefined;
}

/**
 * dist/src/tracer/launcher (compiled from launcher.c by `npm run build` when `cc` works), unless
 * SECCOMP_PROFILER_LAUNCHER=node asks for the Node launcher.
 */
function nativeLauncher(): string | undefined {
  if (process.env.SECCOMP_PROFILER_LAUNCHER === 'node') return undefined;
  try {
    return runtimeFile('./launcher', import.meta.url);
  } catch {
    return undefined;
  }
}

/** Checks and resolves a workload. Throws ProfilerError (USAGE, NO_INPUT, NOT_FOUND, NOT_EXECUTABLE). */
export function resolveWorkload(opts: {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}): Workload {
  const command = opts.argv[0];
  if (command === undefined) throw new ProfilerError('USAGE', 'no command given');
  const cwd = resolve(opts.cwd ?? process.cwd());
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new ProfilerError('NO_INPUT', `working directory ${cwd}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const envObj = opts.env ?? process.env;
  const path = resolveCommand(command, envObj.PATH, cwd);
  for (const arg of opts.argv) {
    if (arg.includes('\0')) throw new ProfilerError('USAGE', `NUL byte in argument ${JSON.stringify(arg)}`);
  }
  return {
    path,
    argv: [...opts.argv],
    env: Object.entries(envObj)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`),
    cwd,
    nodePath: process.execPath,
    launcherPath: runtimeFile('./launcher.js', import.meta.url),
    nativeLauncherPath: nativeLauncher(),
  };
}
