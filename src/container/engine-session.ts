// One container run through a session: inject the wrapper, run the engine's client in the
// foreground, then collect what the background recorders left in the session.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProfilerError } from '../errors.js';
import { resolveCommand } from '../tracer/command.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { type EngineRun, injectSession } from './engine.js';
import type { RecorderResult } from './recorder.js';
import { crunArgv } from './runtimes.js';
import {
  activeRecorders,
  createSession,
  removeSession,
  runDir,
  type Session,
  type SessionSpec,
  sessionResults,
} from './session.js';

/**
 * The wrapper podman gets as `--runtime`: conmon runs the runtime with an environment of its own,
 * so a small script under the run directory carries the run directory and this Node to it. It
 * outlives the session: podman's clean-up may call the runtime after `podman run` has returned.
 */
export function podmanWrapper(env: NodeJS.ProcessEnv): string {
  const path = join(runDir(env), 'profile-runtime');
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const text = `#!/bin/sh\n# Written by seccomp-profiler for podman sessions (docs/containers.md).\nSECCOMP_PROFILER_RUNDIR=${q(runDir(env))} SECCOMP_PROFILER_NODE=${q(process.execPath)} exec ${q(wrapperPath())} "$@"\n`;
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current !== text) writeFileAtomic(path, text, 0o755);
  return path;
}

/** The name `profile setup docker` registers the wrapper under. */
export const DOCKER_RUNTIME_NAME = 'seccomp-profiler';

/** How long to wait, after the client exits, for recorders still writing their results. */
const RESULT_WAIT_MS = 30_000;

/** dist/bin/profile-runtime, from the library (dist/src/container) or the CLI bundle (dist/bin). */
export function wrapperPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, 'profile-runtime'),
    join(here, '../../bin/profile-runtime'),
    join(here, '../../dist/bin/profile-runtime'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new ProfilerError(
    'INTERNAL',
    'the runtime wrapper dist/bin/profile-runtime is missing (run `npm run build`)',
  );
}

export interface EngineSessionOptions {
  readonly run: EngineRun;
  readonly mode: SessionSpec['mode'];
  /** Profile JSON for the container (docker format), unless the user named one. */
  readonly seccomp?: string;
  readonly marker?: number;
  /** record: trace with eBPF instead of ptrace (the wrapper runs as root under docker). */
  readonly backend?: 'ebpf';
  /** docker: the registered runtime to use (default DOCKER_RUNTIME_NAME). */
  readonly dockerRuntime?: string;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

export interface EngineSessionResult {
  /** The engine client's exit code (128+N for signal N). */
  readonly exitCode: number;
  readonly results: readonly RecorderResult[];
  /** The runtime the session ran, as an argv prefix. */
  readonly runtime: readonly string[];
  /** The command line that ran, with the session's options. */
  readonly argv: readonly string[];
}

function isCrun(path: string): boolean {
  return basename(path) === 'crun';
}

/** The runtime the wrapper must run, from the engine and the user's `--runtime`. */
function realRuntime(run: EngineRun, env: NodeJS.ProcessEnv, dockerRuntime: string): string[] {
  const cwd = process.cwd();
  if (run.engine === 'docker') {
    if (run.runtime && run.runtime !== 'runc' && run.runtime !== dockerRuntime) {
      throw new ProfilerError(
        'USAGE',
        `docker's runtime \`${run.runtime}\` cannot be wrapped: profiles are recorded and enforced through runc (drop \`--runtime\`)`,
      );
    }
    return [resolveCommand('runc', env.PATH, cwd)];
  }
  let chosen = run.runtime;
  if (!chosen) {
    // podman's own default order: crun, then runc.
    for (const name of ['crun', 'runc']) {
      try {
        chosen = resolveCommand(name, env.PATH, cwd);
        break;
      } catch {}
    }
  }
  if (!chosen) throw new ProfilerError('NOT_FOUND', 'podman: neither crun nor runc is installed');
  const path = chosen.includes('/') ? chosen : resolveCommand(chosen, env.PATH, cwd);
  // crun 1.8 refuses a hybrid cgroup layout; run it the way that works here (runtimes.ts).
  return isCrun(path) ? crunArgv(path) : [path];
}

/** Refuses early, in one line, when docker has no wrapper registered. */
function assertDockerRuntime(run: EngineRun, name: string, env: NodeJS.ProcessEnv): void {
  const globals = run.argv.slice(1, run.runIndex).filter((a) => a !== 'container');
  let runtimes = '';
  try {
    runtimes = execFileSync(run.argv[0]!, [...globals, 'info', '--format', '{{json .Runtimes}}'], {
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
  } catch (error) {
    throw new ProfilerError(
      'UNAVAILABLE',
      `cannot ask docker for its runtimes: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (!Object.hasOwn(JSON.parse(runtimes || '{}') as object, name)) {
    throw new ProfilerError(
      'UNAVAILABLE',
      `docker has no runtime \`${name}\`: run \`profile setup docker\` once (as root) to register the wrapper`,
    );
  }
}

/** Waits for the client and then for the recorders; always removes the session. */
export async function runEngineSession(opts: EngineSessionOptions): Promise<EngineSessionResult> {
  const env = opts.env ?? process.env;
  const dockerRuntime = opts.dockerRuntime ?? DOCKER_RUNTIME_NAME;
  const runtime = realRuntime(opts.run, env, dockerRuntime);
  if (opts.run.engine === 'docker') assertDockerRuntime(opts.run, dockerRuntime, env);
  const session: Session = createSession({
    mode: opts.mode,
    engine: opts.run.engine,
    runtime,
    ...(opts.marker === undefined ? {} : { marker: opts.marker }),
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.run.cidfile ? { cidfile: opts.run.cidfile } : {}),
  });
  try {
    let seccomp: string | undefined;
    if (opts.seccomp !== undefined && !opts.run.seccomp) {
      seccomp = join(session.dir, 'seccomp.json');
      writeFileSync(seccomp, opts.seccomp);
    }
    const argv = injectSession(opts.run, {
      runtime: opts.run.engine === 'docker' ? dockerRuntime : podmanWrapper(env),
      cidfile: session.spec.cidfile,
      ...(seccomp ? { seccomp } : {}),
    });
    const exitCode = await runClient(argv, env, opts.signal);
    const deadline = Date.now() + RESULT_WAIT_MS;
    while (activeRecorders(session).length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    return { exitCode, results: sessionResults<RecorderResult>(session), runtime, argv };
  } finally {
    removeSession(session);
  }
}

export function runClient(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort);
    child.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new ProfilerError('NOT_FOUND', `${argv[0]}: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0));
    });
  });
}
