// runc as a real consumer: an OCI bundle whose rootfs is read-only bind mounts of the host's
// /bin /lib /lib64 /usr /etc, and a `runc run` that always cleans up its container.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface BundleOptions {
  readonly args: readonly string[];
  /** The `linux.seccomp` object. */
  readonly seccomp: unknown;
  readonly noNewPrivileges?: boolean;
  /** Extra read-only binds: container path → host path. */
  readonly binds?: Readonly<Record<string, string>>;
}

/** Writes `dir/config.json` (and an empty `dir/rootfs`) and returns `dir`. */
export function ociBundle(dir: string, options: BundleOptions): string {
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  const bind = (destination: string, source = destination) => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'ro'],
  });
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: options.args,
      env: ['PATH=/usr/bin:/bin'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: options.noNewPrivileges ?? true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'profile-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      ...['/bin', '/lib', '/lib64', '/usr', '/etc'].map((d) => bind(d)),
      ...Object.entries(options.binds ?? {}).map(([dest, src]) => bind(dest, src)),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      seccomp: options.seccomp,
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

let counter = 0;

/** `runc run` the bundle (no stdin, 60 s at most), then force-delete the container. */
export async function runcRun(dir: string) {
  const id = `profile-test-${process.pid}-${counter++}`;
  try {
    return await execa('runc', ['run', '--bundle', dir, id], {
      reject: false,
      stdin: 'ignore',
      timeout: 60_000,
    });
  } finally {
    await execa('runc', ['delete', '--force', id], { reject: false });
  }
}
