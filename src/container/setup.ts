// `profile setup docker`: register the runtime wrapper with dockerd, once. Docker can only run a
// container through a runtime it knows by name; daemon.json's "runtimes" is where it learns one, and
// dockerd re-reads that on SIGHUP. Idempotent; says what it changed.
import { existsSync, readFileSync } from 'node:fs';
import { ProfilerError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { DOCKER_RUNTIME_NAME, wrapperPath } from './engine-session.js';

export interface DockerSetupOptions {
  /** Default /etc/docker/daemon.json (what `dockerd --config-file` reads). */
  readonly configFile?: string;
  /** dockerd's pid file, to reload it; default /var/run/docker.pid. */
  readonly pidFile?: string;
  /** The runtime's name; default `seccomp-profiler` (what record/enforce/check use). */
  readonly name?: string;
}

export interface DockerSetupResult {
  readonly configFile: string;
  readonly name: string;
  readonly path: string;
  /** False when daemon.json already registered this wrapper under this name. */
  readonly changed: boolean;
  /** The dockerd pid sent SIGHUP, or undefined when no dockerd was running. */
  readonly reloaded?: number;
}

function readConfig(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') return {};
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {}
  throw new ProfilerError('BAD_INPUT', `${file} is not a JSON object: fix it before registering the runtime`);
}

function dockerdPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Registers the wrapper in daemon.json (atomically) and reloads a running dockerd. */
export function setupDocker(opts: DockerSetupOptions = {}): DockerSetupResult {
  const configFile = opts.configFile ?? '/etc/docker/daemon.json';
  const name = opts.name ?? DOCKER_RUNTIME_NAME;
  const path = wrapperPath();
  const config = readConfig(configFile);
  const runtimes = (config.runtimes ?? {}) as Record<string, { path?: string }>;
  const changed = runtimes[name]?.path !== path;
  if (changed) {
    writeFileAtomic(
      configFile,
      `${JSON.stringify({ ...config, runtimes: { ...runtimes, [name]: { path } } }, null, 2)}\n`,
    );
  }
  const pid = changed ? dockerdPid(opts.pidFile ?? '/var/run/docker.pid') : undefined;
  if (pid !== undefined) process.kill(pid, 'SIGHUP');
  return { configFile, name, path, changed, ...(pid === undefined ? {} : { reloaded: pid }) };
}
