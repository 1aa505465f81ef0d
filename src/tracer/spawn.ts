// Starting the launcher: posix_spawn (so libuv never sees the pid, DESIGN fact 2), then whatever must
// see it before its exec (PTRACE_SEIZE for the ptrace tracer, on the tracing thread since ptrace is
// thread-affine; the eBPF recorder's follow), then hand it the job on a pipe.
import { readSync, writeSync } from 'node:fs';
import { errnoText } from '../arch/errno.js';
import { ProfilerError } from '../errors.js';
import { F_GETFD, O_CLOEXEC, PTRACE_SEIZE, TRACE_OPTIONS } from './constants.js';
import type { Workload } from './input.js';
import { type ByteString, encodeJob, JOB_KEEP_PRIVILEGES, type Job } from './job.js';
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

/**
 * Socket activation (sd_listen_fds(3)): a service manager that handed us listening sockets set
 * LISTEN_PID to our pid, and the workload accepts them only if it names its own. The launcher's pid
 * is the workload's (it execs in place).
 */
function listenPidFor(env: readonly ByteString[], pid: number): readonly ByteString[] {
  const ours = `LISTEN_PID=${process.pid}`;
  return env.map((e) => (e === ours ? `LISTEN_PID=${pid}` : e));
}

/** The two lowest fd numbers from 3 up that the workload does not keep: the launcher's job and status. */
function protocolFds(keep: readonly number[]): [number, number] {
  const free: number[] = [];
  for (let fd = 3; free.length < 2; fd++) if (!keep.includes(fd)) free.push(fd);
  return [free[0]!, free[1]!];
}

/** A running launcher waiting for its job on `jobFd`. */
export interface StartedLauncher extends Launched {
  readonly jobFd: number;
  /** The fds of the workload's job that are open here (only those can be passed on). */
  readonly keepFds: readonly number[];
}

/**
 * Spawns the launcher and waits until it runs. It then blocks reading its job: the caller prepares
 * whatever must see it before its exec (ptrace seize, eBPF follow) and calls sendJob().
 */
export function startLauncher(input: Workload): StartedLauncher {
  // Only fds open here can be passed on: posix_spawn fails as a whole on a dup2 of a closed one.
  const keepFds = input.keepFds.filter((fd) => fcntlInt(fd, F_GETFD, 0) >= 0);
  const [jobFd, statusFd] = protocolFds(keepFds);
  const [jobRead, jobWrite] = makePipe(O_CLOEXEC);
  const [statusRead, statusWrite] = makePipe(O_CLOEXEC);
  const fa = new Uint8Array(256);
  posixSpawnFileActionsInit(fa);
  // dup2 onto itself clears close-on-exec in the child only (glibc ≥ 2.29): Node marked every
  // inherited fd close-on-exec at start-up (0–15 and on to the first gap, DESIGN fact 3).
  for (const fd of keepFds) posixSpawnFileActionsAddDup2(fa, fd, fd);
  posixSpawnFileActionsAddDup2(fa, jobRead, jobFd);
  posixSpawnFileActionsAddDup2(fa, statusWrite, statusFd);
  const env = Object.entries(process.env)
    .filter(([k, v]) => v !== undefined && !k.startsWith('NODE_OPTIONS'))
    .map(([k, v]) => `${k}=${v}`);
  const pidBuf = new Int32Array(1);
  const fdArgs = [String(jobFd), String(statusFd)];
  let launcherPath = input.nativeLauncherPath;
  // The native launcher starts in about a millisecond; a Node launcher needs ≈140 ms (node + koffi).
  // If the native one cannot be spawned (e.g. a noexec mount), fall back to the Node one.
  let rc =
    launcherPath === undefined
      ? -1
      : posixSpawn(pidBuf, launcherPath, fa, null, [launcherPath, ...fdArgs, null], [...env, null]);
  if (rc !== 0) {
    launcherPath = input.launcherPath;
    rc = posixSpawn(
      pidBuf,
      input.nodePath,
      fa,
      null,
      [input.nodePath, '--no-warnings', input.launcherPath, ...fdArgs, null],
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
  // Seize only once the launcher runs: posix_spawn returns in the middle of its execve of node,
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
  return { pid, statusFd: statusRead, jobFd: jobWrite, keepFds };
}

/**
 * Writes the job (job.ts) and closes the pipe: the launcher then execs the workload. `job` is the
 * workload with its filter (empty: no filter and no no_new_privs) and flags; the fds it keeps and
 * LISTEN_PID follow from the started launcher.
 */
export function sendJob(launcher: StartedLauncher, job: Omit<Job, 'keepFds'>): void {
  const bytes = encodeJob({ ...job, env: listenPidFor(job.env, launcher.pid), keepFds: launcher.keepFds });
  let off = 0;
  while (off < bytes.length) off += writeSync(launcher.jobFd, bytes, off, bytes.length - off);
  close(launcher.jobFd);
}

/** Spawns the launcher, seizes it and sends it the job. Throws ProfilerError when ptrace is refused. */
export function launch(input: WorkerInput, beforeSeize: (pid: number) => void): Launched {
  const launcher = startLauncher(input);
  const { pid, statusFd, jobFd } = launcher;
  beforeSeize(pid);
  if (ptraceInt(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS) !== 0) {
    const err = errno();
    kill(pid, 9);
    waitpid(pid, new Int32Array(1), 0);
    close(jobFd);
    close(statusFd);
    throw ptraceRefused(err);
  }
  sendJob(launcher, { ...input, flags: input.noNewPrivileges ? 0 : JOB_KEEP_PRIVILEGES });
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
