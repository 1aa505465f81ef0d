// What a backend hands its launcher, and what trace() hands the tracing thread: the caller's options
// checked and turned into bytes, once, on the caller's thread, so that a bad option is one clean
// error before anything runs. The one workload-preparation path for both record backends: the ptrace
// tracer (prepareInput) and the eBPF recorder (prepareWorkload) start the same workload.
import { statSync } from 'node:fs';
import { ProfilerError } from '../errors.js';
import { encodeProgram } from '../generator/bpf/encode.js';
import type { ValidatedProgram } from '../generator/bpf/types.js';
import { programProblem } from '../generator/bpf/validate.js';
import { type ByteString, displayBytes, toBytes } from '../util/bytes.js';
import { runtimeFile } from '../util/runtime-path.js';
import { resolveCommand } from './command.js';
import { type Inheritance, STDIO_ONLY } from './inherit.js';
import { envEntries, ownCwd } from './own-bytes.js';
import type { ScopeOptions, WorkerInput } from './protocol.js';

/** What prepareWorkload needs of TraceOptions (see there). */
export interface WorkloadOptions {
  readonly argv: readonly ByteString[];
  readonly cwd?: ByteString;
  readonly env?: NodeJS.ProcessEnv | readonly ByteString[];
  readonly inherit?: Inheritance;
}

/** What prepareInput needs of TraceOptions (see there). */
export interface InputOptions extends WorkloadOptions {
  readonly filter: ValidatedProgram;
  readonly onTraceStop?: 'continue' | { readonly errno: number };
  readonly pin?: boolean;
  readonly noNewPrivileges?: boolean;
  readonly scopes?: ScopeOptions;
}

/** The filter's bytes; a caller that got around the type (plain JS) still gets one clear line. */
function filterBytes(filter: ValidatedProgram): Uint8Array {
  const problem = Array.isArray(filter) ? programProblem(filter) : 'not a validated BPF program';
  if (problem !== undefined) throw new ProfilerError('BAD_INPUT', `invalid seccomp filter: ${problem}`);
  return encodeProgram(filter);
}

function noNul(s: ByteString, what: string): void {
  if (toBytes(s).includes(0))
    throw new ProfilerError('USAGE', `NUL byte in ${what} ${JSON.stringify(displayBytes(s))}`);
}

/**
 * What the build compiled from C next to this module, when `cc` worked (dist/src/tracer/<name>):
 * `launcher` (launcher.c; SECCOMP_PROFILER_LAUNCHER=node asks for the Node launcher instead) and
 * `fast-stops.so` (the loop's native hot path; SECCOMP_PROFILER_FAST_STOPS=off asks for the
 * JavaScript one). Undefined when it is not there or not wanted.
 */
function builtNative(name: string, optedOut: boolean): string | undefined {
  if (optedOut) return undefined;
  try {
    return runtimeFile(`./${name}`, import.meta.url);
  } catch {
    return undefined;
  }
}

/** Where the workload runs. */
export interface WorkingDirectory {
  readonly bytes: ByteString;
  readonly text: string;
  /** False when it is this process's own directory and that was deleted. */
  readonly exists: boolean;
  /** Whether the launcher changes to it (else the workload inherits ours). */
  readonly chdir: boolean;
}

/** The directory given (relative to ours), checked; or ours, which the workload then inherits. */
function workingDirectory(cwd: ByteString | undefined): WorkingDirectory {
  const own = ownCwd();
  if (cwd === undefined) return { ...own, chdir: false };
  const given = toBytes(cwd);
  const bytes = given[0] === 0x2f ? given : Buffer.concat([toBytes(own.bytes), Buffer.from('/'), given]);
  try {
    if (!statSync(bytes).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new ProfilerError(
      'NO_INPUT',
      `working directory ${displayBytes(cwd)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return {
    bytes: typeof cwd === 'string' ? bytes.toString('utf8') : bytes,
    text: displayBytes(bytes),
    exists: true,
    chdir: true,
  };
}

/** A workload ready for a launcher (spawn.ts): the part of WorkerInput both backends share. */
export type Workload = Pick<
  WorkerInput,
  | 'nodePath'
  | 'launcherPath'
  | 'nativeLauncherPath'
  | 'path'
  | 'argv'
  | 'env'
  | 'cwd'
  | 'keepFds'
  | 'ignoredSignals'
>;

/**
 * Checks and resolves a workload: the command resolves to an executable, the working directory
 * exists, no argument, environment entry or directory holds a NUL; what it inherits (fds, ignored
 * signals); where the launchers are. `cwd` is where the workload runs. Throws ProfilerError (USAGE,
 * NO_INPUT, NOT_FOUND, NOT_EXECUTABLE).
 */
export function prepareWorkload(opts: WorkloadOptions): { workload: Workload; cwd: WorkingDirectory } {
  const command = opts.argv[0];
  if (command === undefined) throw new ProfilerError('USAGE', 'no command given');
  for (const arg of opts.argv) noNul(arg, 'argument');
  const env: readonly ByteString[] = Array.isArray(opts.env)
    ? opts.env
    : envEntries((opts.env as NodeJS.ProcessEnv | undefined) ?? process.env);
  for (const entry of env) noNul(entry, 'environment entry');
  const cwd = workingDirectory(opts.cwd);
  noNul(cwd.bytes, 'directory');
  const pathEntry = env.map(displayBytes).find((e) => e.startsWith('PATH='));
  const path = resolveCommand(command, pathEntry?.slice(5), cwd.chdir ? cwd.bytes : undefined);
  const inherit = opts.inherit ?? STDIO_ONLY;
  return {
    cwd,
    workload: {
      nodePath: process.execPath,
      launcherPath: runtimeFile('./launcher.js', import.meta.url),
      nativeLauncherPath: builtNative('launcher', process.env.SECCOMP_PROFILER_LAUNCHER === 'node'),
      path,
      argv: [...opts.argv],
      env: [...env],
      cwd: cwd.chdir ? cwd.bytes : undefined,
      keepFds: [...new Set(inherit.fds)]
        .filter((fd) => Number.isInteger(fd) && fd >= 0)
        .sort((a, b) => a - b),
      ignoredSignals: inherit.ignoredSignals.filter((s) => Number.isInteger(s) && s >= 1 && s <= 64),
    },
  };
}

/** Checks the options and builds the tracing thread's input; `cwd` is where the workload runs. */
export function prepareInput(
  opts: InputOptions,
  shared: SharedArrayBuffer,
  epochMs: number,
): { input: WorkerInput; cwd: WorkingDirectory } {
  const { workload, cwd } = prepareWorkload(opts);
  return {
    cwd,
    input: {
      ...workload,
      filter: filterBytes(opts.filter),
      onTraceStop: opts.onTraceStop ?? 'continue',
      pin: opts.pin ?? true,
      noNewPrivileges: opts.noNewPrivileges ?? true,
      scopes: opts.scopes,
      fastStopsPath: builtNative('fast-stops.so', process.env.SECCOMP_PROFILER_FAST_STOPS === 'off'),
      shared,
      epochMs,
    },
  };
}
