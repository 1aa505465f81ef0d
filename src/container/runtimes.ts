// The OCI runtimes a container engine drives (runc, crun): how to run one here, what it is, and
// what a bundle asks of it. Shared by the wrapper, the recorder and the runtime-set measurement.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the recording says about the runtime that started a container. */
export interface RuntimeInfo {
  /** `runc`, `crun`, or the first word of an unknown runtime's `--version`. */
  readonly name: string;
  readonly version: string;
  /** The bundle's `process.noNewPrivileges` (Docker and podman leave it off by default). */
  readonly noNewPrivileges: boolean;
}

/** `runc version 1.1.5+ds1` / `crun version 1.8.1` → name and version; undefined if it will not say. */
export function runtimeIdentity(argv: readonly string[]): { name: string; version: string } | undefined {
  const [file, ...args] = argv;
  if (file === undefined) return undefined;
  try {
    const out = execFileSync(file, [...args, '--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    const m = /^(\S+) version (\S+)/m.exec(out);
    return m ? { name: m[1]!, version: m[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle directory of a runtime command line: `--bundle X` / `-b X`, else the working directory. */
export function bundleOf(args: readonly string[], cwd: string): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '--bundle' || a === '-b') && args[i + 1] !== undefined) return args[i + 1]!;
    if (a.startsWith('--bundle=')) return a.slice('--bundle='.length);
  }
  return cwd;
}

/** The parts of a bundle's config.json the recorder needs. Missing or unreadable: defaults. */
export function bundleConfig(bundle: string): {
  noNewPrivileges: boolean;
  seccomp?: { defaultAction?: string; defaultErrnoRet?: number };
} {
  try {
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
      process?: { noNewPrivileges?: boolean };
      linux?: { seccomp?: { defaultAction?: string; defaultErrnoRet?: number } };
    };
    const seccomp = config.linux?.seccomp;
    return { noNewPrivileges: config.process?.noNewPrivileges === true, ...(seccomp ? { seccomp } : {}) };
  } catch {
    return { noNewPrivileges: false };
  }
}

/**
 * True on a hybrid cgroup layout (cgroup v1 controllers with a cgroup2 mount at
 * /sys/fs/cgroup/unified), which crun 1.8 refuses ("cgroups in hybrid mode not supported").
 */
export function cgroupHybrid(): boolean {
  try {
    const mounts = readFileSync('/proc/self/mounts', 'utf8');
    return / \/sys\/fs\/cgroup\/unified cgroup2 /.test(mounts) && !/ \/sys\/fs\/cgroup cgroup2 /.test(mounts);
  } catch {
    return false;
  }
}

/**
 * How to run `crun` here: as is, or on a hybrid cgroup layout inside a private mount namespace
 * without the cgroup2 mount (the host's mounts stay untouched), where crun takes the v1 path.
 */
export function crunArgv(crun = 'crun'): string[] {
  if (!cgroupHybrid()) return [crun];
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    'umount /sys/fs/cgroup/unified && exec "$0" "$@"',
    crun,
  ];
}
