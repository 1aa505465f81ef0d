// Measuring a runtime's post-filter set: the syscalls runc or crun make after loading the
// container's seccomp filter and before exec'ing the entrypoint. The bundle's filter returns
// SECCOMP_RET_TRACE with MARKER as data for every syscall; our tracer (whose own filter returns
// data 0) sees that data in PTRACE_GET_SYSCALL_INFO (seccomp.ret_data) and counts those stops apart
// (TraceOptions.scopes). The entrypoint's own calls are `contained` and left out. Exact, no guessing
// from source code: scripts/gen-runtime-sets.mjs writes the result to src/generator/policy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfilerError } from '../errors.js';
import { DOCKER_DEFAULT_CAPS } from '../generator/policy/capabilities.js';
import { trace } from '../tracer/index.js';
import { runtimeIdentity } from './runtimes.js';

/** RET_TRACE data of the marker filter: anything but 0 (our own filter's data) works. */
export const MARKER = 0x5ec;

/** How the engine drives the runtime: `run` (one call) or `create` then `start` (Docker, podman). */
export type RuntimeMode = 'run' | 'create-start';

export interface MeasuredRuntime {
  readonly name: string;
  readonly version: string;
  /** mode → 'nnp' | 'no-nnp' → sorted syscall names (x86_64) the runtime made under the filter. */
  readonly sets: Record<RuntimeMode, Record<'nnp' | 'no-nnp', string[]>>;
}

/** A bundle like the ones Docker and podman write: Docker's caps, rlimits, the given user. */
function writeBundle(dir: string, noNewPrivileges: boolean, user: { uid: number; gid: number }): void {
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  const bind = (d: string) => ({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] });
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { ...user, additionalGids: [user.gid] },
      args: ['/bin/true'],
      env: ['PATH=/usr/bin:/bin'],
      cwd: '/',
      capabilities: {
        bounding: DOCKER_DEFAULT_CAPS,
        effective: DOCKER_DEFAULT_CAPS,
        permitted: DOCKER_DEFAULT_CAPS,
      },
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 },
        { type: 'RLIMIT_NPROC', hard: 1024, soft: 1024 },
      ],
      noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'measure',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      ...['/bin', '/lib', '/lib64', '/usr', '/etc'].map(bind),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      seccomp: {
        defaultAction: 'SCMP_ACT_TRACE',
        defaultErrnoRet: MARKER,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      },
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One traced start of `/bin/true` under `runtime`: the syscalls it made under the filter. */
async function measureOnce(
  runtime: readonly string[],
  mode: RuntimeMode,
  bundle: string,
  id: string,
): Promise<Set<string>> {
  const rt = runtime.map(quote).join(' ');
  const argv =
    mode === 'run'
      ? [...runtime, 'run', '--bundle', bundle, id]
      : ['/bin/sh', '-c', `${rt} create --bundle ${quote(bundle)} ${id} && exec ${rt} start ${id}`];
  try {
    const result = await trace({
      argv,
      pin: false,
      noNewPrivileges: false,
      scopes: { marker: MARKER },
      // `create` and `start` return while the container runs: wait for it to end.
      grace: Number.POSITIVE_INFINITY,
    });
    if (result.outcome.status !== 'exited' || result.outcome.code !== 0) {
      throw new ProfilerError(
        'UNAVAILABLE',
        `${runtime.join(' ')} ${mode} did not start the container (${JSON.stringify(result.outcome)})`,
      );
    }
    const names = new Set<string>();
    for (const perArch of Object.values(result.scopes?.marked ?? {})) {
      for (const name of Object.keys(perArch.x86_64 ?? {})) names.add(name);
    }
    return names;
  } finally {
    try {
      execFileSync(runtime[0]!, [...runtime.slice(1), 'delete', '--force', id], { stdio: 'ignore' });
    } catch {}
  }
}

/**
 * Starts `/bin/true` with `runtime` (an argv prefix such as ['runc'] or crunArgv()) `repeats` times
 * per mode, NNP setting and user (root, and uid 1000), and returns the union per mode and NNP.
 * Needs root. Go's runtime (runc) makes some housekeeping calls only sometimes: repeat to see them.
 */
export async function measureRuntime(runtime: readonly string[], repeats = 2): Promise<MeasuredRuntime> {
  const identity = runtimeIdentity(runtime);
  if (!identity)
    throw new ProfilerError('UNAVAILABLE', `${runtime.join(' ')}: not a runtime that says its version`);
  const work = mkdtempSync(join(tmpdir(), 'profile-measure-'));
  const empty = () => ({ nnp: [] as string[], 'no-nnp': [] as string[] });
  const sets: MeasuredRuntime['sets'] = { run: empty(), 'create-start': empty() };
  let n = 0;
  try {
    for (const mode of ['run', 'create-start'] as const) {
      for (const nnp of [true, false]) {
        const seen = new Set<string>();
        for (const user of [
          { uid: 0, gid: 0 },
          { uid: 1000, gid: 1000 },
        ]) {
          const bundle = join(work, `b${n++}`);
          writeBundle(bundle, nnp, user);
          for (let i = 0; i < repeats; i++) {
            const id = `profile-measure-${process.pid}-${n}-${i}`;
            for (const name of await measureOnce(runtime, mode, bundle, id)) seen.add(name);
          }
        }
        sets[mode][nnp ? 'nnp' : 'no-nnp'] = [...seen].sort();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { name: identity.name, version: identity.version, sets };
}
