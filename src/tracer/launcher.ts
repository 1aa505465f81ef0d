// The Node launcher: the fallback for launcher.c (used when no C compiler built that one, or with
// SECCOMP_PROFILER_LAUNCHER=node); keep the two in step. The launcher is a tiny process the tracer
// posix_spawns and PTRACE_SEIZEs (or the eBPF recorder follows): `node launcher.js JOBFD STATUSFD`.
// It waits on JOBFD until the tracer has seized it (the tracer then writes the job there), sets
// NO_NEW_PRIVS, installs the seccomp filter (an empty filter: neither) and execve's the workload.
// The filter must be installed by the tracee itself (DESIGN fact 4). Between the seccomp() call and execve() it does nothing else: a filter whose
// default is to kill would otherwise kill the launcher. Failures are reported on STATUSFD
// (close-on-exec, so a successful execve closes it silently) and end the launcher with 127.
import { closeSync, readdirSync, readSync, writeSync } from 'node:fs';
import { nativeArch, syscallNumber } from '../arch/index.js';
import { F_SETFD, PR_SET_NO_NEW_PRIVS, SECCOMP_SET_MODE_FILTER } from './constants.js';
import { type DecodedJob, decodeJob, JOB_KEEP_PRIVILEGES } from './job.js';
import {
  chdir,
  errno,
  execveBytes,
  fcntlInt,
  nativeString,
  nativeStrings,
  prctl,
  rtSigaction,
  SIG_DFL,
  SIG_IGN,
  sigprocmask,
  syscallSeccomp,
} from './libc.js';

const FD_CLOEXEC = 1;
const SIGKILL = 9;
const SIGSTOP = 19;

function fdArg(text: string | undefined): number {
  const n = Number(text);
  return Number.isInteger(n) && n >= 3 ? n : -1;
}
const JOB_FD = fdArg(process.argv[2]);
const STATUS_FD = fdArg(process.argv[3]);
if (JOB_FD < 0 || STATUS_FD < 0) process.exit(127);

function fail(stage: string, err: number): never {
  try {
    writeSync(STATUS_FD, JSON.stringify({ stage, errno: err }));
  } catch {}
  process.exit(127);
}

function readJob(): DecodedJob {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = readSync(JOB_FD, buf, 0, buf.length, null);
    if (n <= 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  closeSync(JOB_FD);
  const bytes = Buffer.concat(chunks);
  // No job: the tracer gave up before sending it.
  if (bytes.length === 0) process.exit(127);
  try {
    return decodeJob(bytes);
  } catch {
    fail('job', 22 /* EINVAL */);
  }
}

// The status fd came through dup2, which cleared close-on-exec: set it again, so the workload does
// not inherit it and a successful execve is seen as EOF. Then tell the tracer we are up.
fcntlInt(STATUS_FD, F_SETFD, FD_CLOEXEC);
writeSync(STATUS_FD, 'R');
const job = readJob();
if (job.cwd !== undefined && chdir(nativeString(job.cwd)) !== 0) fail('chdir', errno());
// The fds the profiler inherited reach the workload at the same numbers (Node marked them
// close-on-exec, here too); every other fd is closed at execve: a stdio fd the profiler did not
// inherit (this Node put /dev/null there), and whatever else the tracing process had open.
for (const fd of job.keepFds) fcntlInt(fd, F_SETFD, 0);
for (const name of readdirSync('/proc/self/fd')) {
  const fd = Number(name);
  if (!job.keepFds.includes(fd)) fcntlInt(fd, F_SETFD, FD_CLOEXEC);
}
// Dispositions: what the profiler inherited ignored stays ignored, every other signal gets the
// default (Node ignores SIGPIPE/SIGXFSZ, the tracer ignores SIGUSR1, glibc's posix_spawn leaves 32
// and 33 ignored; ignored dispositions survive execve).
const ignored = new Set(job.ignoredSignals);
for (let sig = 1; sig <= 64; sig++) {
  if (sig !== SIGKILL && sig !== SIGSTOP) rtSigaction(sig, ignored.has(sig) ? SIG_IGN : SIG_DFL);
}
sigprocmask(2 /* SIG_SETMASK */, new Uint8Array(128), null);

const prog = { len: job.filter.length / 8, filter: job.filter };
const path = nativeString(job.path);
const argv = nativeStrings(job.argv);
const env = nativeStrings(job.env);

// An empty filter (the eBPF recorder's job): no filter and no no_new_privs, as from a shell.
if (job.filter.length > 0) {
  const keepPrivileges = ((job.flags ?? 0) & JOB_KEEP_PRIVILEGES) !== 0;
  if (!keepPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) fail('prctl', errno());
  if (syscallSeccomp(syscallNumber(nativeArch(), 'seccomp')!, SECCOMP_SET_MODE_FILTER, 0, prog) !== 0)
    fail('seccomp', errno());
}
execveBytes(path, argv, env);
fail('execve', errno());
