// Real container engines for the tests (whether they exist: host.ts's needs()): a private
// dockerd (own socket, data, exec root and daemon.json under a temp dir, no networking, stopped by
// pid), private podman storage, and a ~4 MB image made from host binaries (no registry needed).
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/** The host binaries the image carries (a real shell and coreutils, with their libraries). */
const IMAGE_BINARIES = ['sh', 'ls', 'sort', 'head', 'cat', 'wc', 'tr', 'uname', 'echo', 'true'];

/** A rootfs tar (~4 MB) of host binaries and the libraries ldd names: `docker import`able. */
export async function buildImageTar(dir: string): Promise<string> {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  for (const name of IMAGE_BINARIES) {
    const { stdout: path } = await execa('sh', [
      '-c',
      `command -v /bin/${name} || command -v /usr/bin/${name}`,
    ]);
    copyFileSync(path.trim(), join(root, 'bin', name));
    const { stdout: libs } = await execa('ldd', [path.trim()], { reject: false });
    for (const lib of libs.matchAll(/(\/\S+)/g)) {
      const to = join(root, lib[1]!);
      mkdirSync(dirname(to), { recursive: true });
      if (!existsSync(to)) copyFileSync(lib[1]!, to);
    }
  }
  const tar = join(dir, 'image.tar');
  await execa('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

export interface Dockerd {
  /** `docker -H unix://…` for this daemon. */
  readonly docker: readonly string[];
  readonly configFile: string;
  readonly pidFile: string;
  stop(): Promise<void>;
}

/** Starts a private dockerd (DESIGN.md's flags) and waits until it answers (60 s at most). */
export async function startDockerd(dir: string): Promise<Dockerd> {
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, 'docker.sock');
  const configFile = join(dir, 'daemon.json');
  const pidFile = join(dir, 'docker.pid');
  writeFileSync(configFile, '{}\n');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--bridge=none',
      '--host',
      `unix://${sock}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      pidFile,
      '--config-file',
      configFile,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'], detached: false },
  );
  const docker = ['/usr/bin/docker', '-H', `unix://${sock}`];
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 20_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // dockerd stops the containerd it started; make sure, by its pid file.
    try {
      const pid = Number(readFileSync(join(dir, 'exec/containerd/containerd.pid'), 'utf8'));
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {}
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    const r = await execa(docker[0]!, [...docker.slice(1), 'version'], { reject: false, timeout: 5000 });
    if (r.exitCode === 0) return { docker, configFile, pidFile, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`dockerd did not start (exit ${child.exitCode})`);
}

/** podman's global options for private storage under `dir`, as DESIGN.md says this host needs. */
export function podmanGlobals(dir: string): string[] {
  return [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
    '--storage-driver=vfs',
  ];
}

/** `run` options podman needs here. */
export const PODMAN_RUN = [
  '--network',
  'none',
  '--ulimit',
  'nofile=1024:1024',
  '--ulimit',
  'nproc=1024:1024',
];

/** A runtime script for podman: crun in a private mount namespace without the cgroup2 mount. */
export function crunScript(dir: string): string {
  const path = join(dir, 'crun-private-mounts');
  writeFileSync(
    path,
    `#!/bin/sh\nexec unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}
