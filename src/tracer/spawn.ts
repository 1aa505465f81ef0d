// Starting the launcher under ptrace: posix_spawn (so libuv never sees the pid, DESIGN fact 2),
// PTRACE_SEIZE, then hand it the job on a pipe. Runs on the tracing thread (ptrace is thread-affine).
import { readSync, writeSync } from 'node:fs';
import { errnoText } from '../arch/errno.js';
import { ProfilerError } from '../errors.js';
import { F_SETFD, O_CLOEXEC, PTRACE_SEIZE, TRACE_OPTIONS } from './constants.js';
import { encodeJob, JOB_KEEP_PRIVILEGES, type Job } from './job.js';
import {
  close,
  errno,
  fcntlInt,
  kill,
  pipe2,
  posixSpawn,
  posixSpawnFileActionsAddDup2,
  posixSpawnFileActionsDestroy,
  posixSpawnFileActionsInit,
  ptraceInt,
  waitpid,
} from './libc.js';
import type { WorkerInput } from './protocol.js';

/** A seized launcher: its pid and the read end of its status pipe (EOF once it exec'd). */
export interface Launched {
  readonly pid: number;
  readonly statusFd: number;
}

function makePipe(flags: number): [number, number] {
  const fds = new Int32Array(2);
  if (pipe2(fds, flags) !== 0) throw new ProfilerError('INTERNAL', `pipe2 failed: ${errnoText(errno())}`);
  return [fds[0]!, fds[1]!];
}

/** Where the launchers are (a subset of WorkerInput). */
export type LauncherPaths = Pick<WorkerInput, 'nodePath' | 'launcherPath' | 'nativeLauncherPath'>;

/** A running launcher waiting for its job on `jobFd`; `statusFd` reads its status pipe. */
export interface StartedLauncher extends Launched {
  readonly jobFd: number;
  readonly launcherPath: string;
}

/**
 * Spawns the launcher (posix_spawn: libuv never sees the pid) and waits until it runs. It then
 * blocks reading its job: the caller prepares whatever must see it before its exec (ptrace seize,
 * eBPF follow) and calls sendJob().
 */
export function startLauncher(input: LauncherPaths): StartedLauncher {
  const [jobRead, jobWrite] = makePipe(O_CLOEXEC);
  const [statusRead, statusWrite] = makePipe(O_CLOEXEC);
  // Node marks 0-2 close-on-exec at start-up (DESIGN fact 3); posix_spawn would close them.
  for (const fd of [0, 1, 2]) fcntlInt(fd, F_SETFD, 0);
  const fa = new Uint8Array(256);
  posixSpawnFileActionsInit(fa);
  posixSpawnFileActionsAddDup2(fa, jobRead, 3);
  posixSpawnFileActionsAddDup2(fa, statusWrite, 4);
  const env = Object.entries(process.env)
    .filter(([k, v]) => v !== undefined && !k.startsWith('NODE_OPTIONS'))
    .map(([k, v]) => `${k}=${v}`);
  const pidBuf = new Int32Array(1);
  let launcherPath: string | undefined = input.nativeLauncherPath;
  // The native launcher starts in about a millisecond; a Node launcher needs ≈140 ms (node + koffi).
  // If the native one cannot be spawned (e.g. a noexec mount), fall back to the Node one.
  let rc =
    launcherPath === undefined
      ? -1
      : posixSpawn(pidBuf, launcherPath, fa, null, [launcherPath, null], [...env, null]);
  if (rc !== 0) {
    launcherPath = input.launcherPath;
    rc = posixSpawn(
      pidBuf,
      input.nodePath,
      fa,
      null,
      [input.nodePath, '--no-warnings', input.launcherPath, null],
      [...env, null],
    );
  }
  posixSpawnFileActionsDestroy(fa);
  close(jobRead);
  close(statusWrite);
  if (rc !== 0) {
    close(jobWrite);
    close(statusRead);
    throw new ProfilerError('INTERNAL', `cannot start the launcher (${input.nodePath}): ${errnoText(rc)}`);
  }
  const pid = pidBuf[0]!;
  // Hand over only once the launcher runs: posix_spawn returns in the middle of its execve of node,
  // and seizing there would report that exec as if it were the workload's.
  const ready = Buffer.alloc(1);
  let n = 0;
  try {
    n = readSync(statusRead, ready, 0, 1, null);
  } catch {}
  if (n !== 1 || ready[0] !== 0x52 /* 'R' */) {
    waitpid(pid, new Int32Array(1), 0);
    close(jobWrite);
    close(statusRead);
    throw new ProfilerError('INTERNAL', `the launcher (${launcherPath}) did not start`);
  }
  return { pid, statusFd: statusRead, jobFd: jobWrite, launcherPath: launcherPath ?? input.launcherPath };
}

/** Writes the job (job.ts) and closes the pipe: the launcher then execs the workload. */
export function sendJob(jobFd: number, job: Job): void {
  const bytes = encodeJob(job);
  let off = 0;
  while (off < bytes.length) off += writeSync(jobFd, bytes, off, bytes.length - off);
  close(jobFd);
}

/** Spawns the launcher, seizes it and sends it the job. Throws ProfilerError when ptrace is refused. */
export function launch(input: WorkerInput, beforeSeize: (pid: number) => void): Launched {
  const { pid, statusFd, jobFd } = startLauncher(input);
  beforeSeize(pid);
  if (ptraceInt(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS) !== 0) {
    const err = errno();
    kill(pid, 9);
    waitpid(pid, new Int32Array(1), 0);
    close(jobFd);
    close(statusFd);
    throw ptraceRefused(err);
  }
  sendJob(jobFd, { ...input, flags: input.noNewPrivileges ? 0 : JOB_KEEP_PRIVILEGES });
  return { pid, statusFd };
}

function ptraceRefused(err: number): ProfilerError {
  if (err === 1 /* EPERM */) {
    return new ProfilerError(
      'UNAVAILABLE',
      'ptrace refused (EPERM): Yama ptrace_scope (see /proc/sys/kernel/yama/ptrace_scope), a container without CAP_SYS_PTRACE, or the profiler already being traced',
    );
  }
  if (err === 5 /* EIO */ || err === 22 /* EINVAL */) {
    return new ProfilerError(
      'UNAVAILABLE',
      `this kernel does not support PTRACE_SEIZE with seccomp tracing (${errnoText(err)}); Linux 5.3 or newer is needed`,
    );
  }
  return new ProfilerError('UNAVAILABLE', `ptrace failed: ${errnoText(err)}`);
}

/** What the launcher reported before dying (nothing when it exec'd). */
export function readLauncherStatus(fd: number): { stage: string; errno: number } | undefined {
  const buf = Buffer.alloc(4096);
  let text = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      text += buf.toString('utf8', 0, n);
    }
  } catch {}
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as { stage: string; errno: number };
  } catch {
    return undefined;
  }
}

/** Turns a launcher failure into the error the user sees. */
export function launcherError(
  status: { stage: string; errno: number } | undefined,
  input: Pick<WorkerInput, 'argv' | 'path' | 'cwd'>,
): ProfilerError {
  const cmd = input.argv[0] ?? input.path;
  if (status === undefined) {
    return new ProfilerError('INTERNAL', `the launcher for ${cmd} died before starting it`);
  }
  const name = errnoText(status.errno);
  switch (status.stage) {
    case 'execve':
      if (status.errno === 2 /* ENOENT */) return new ProfilerError('NOT_FOUND', `${cmd}: command not found`);
      return new ProfilerError('NOT_EXECUTABLE', `${cmd}: cannot execute (${name})`);
    case 'seccomp':
      return new ProfilerError(
        status.errno === 22 ? 'UNAVAILABLE' : 'BAD_INPUT',
        status.errno === 22
          ? `the kernel refused the seccomp filter (EINVAL): no seccomp filter support, or an invalid filter`
          : `cannot install the seccomp filter: ${name}`,
      );
    case 'chdir':
      return new ProfilerError('NO_INPUT', `cannot change to directory ${input.cwd}: ${name}`);
    default:
      return new ProfilerError('UNAVAILABLE', `launcher failed at ${status.stage}: ${name}`);
  }
}
