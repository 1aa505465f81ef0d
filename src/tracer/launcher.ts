// The Node launcher: the fallback for launcher.c (used when no C compiler built that one, or with
// SECCOMP_PROFILER_LAUNCHER=node); keep the two in step. The launcher is a tiny process the tracer
// posix_spawns and PTRACE_SEIZEs. It waits on fd 3 until the tracer has seized it (the tracer then writes the job there), sets NO_NEW_PRIVS, installs the
// seccomp filter and execve's the workload. The filter must be installed by the tracee itself
// (DESIGN fact 4). Between the seccomp() call and execve() it does nothing else: a filter whose
// default is to kill would otherwise kill the launcher. Failures are reported on fd 4 (close-on-exec,
// so a successful execve closes it silently) and end the launcher with 127.
import { closeSync, readSync, writeSync } from 'node:fs';
import { nativeArch, syscallNumber } from '../arch/index.js';
import { F_SETFD, PR_SET_NO_NEW_PRIVS, SECCOMP_SET_MODE_FILTER } from './constants.js';
import { decodeJob, JOB_KEEP_PRIVILEGES, type Job } from './job.js';
import {
  errno,
  execve,
  fcntlInt,
  prctl,
  rtSigactionDefault,
  signalDefault,
  sigprocmask,
  syscallSeccomp,
} from './libc.js';

const JOB_FD = 3;
const STATUS_FD = 4;
const FD_CLOEXEC = 1;

function fail(stage: string, err: number): never {
  try {
    writeSync(STATUS_FD, JSON.stringify({ stage, errno: err }));
  } catch {}
  process.exit(127);
}

function readJob(): Job {
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

// fd 4 came through dup2, which cleared close-on-exec: set it again, so the workload does not
// inherit it and a successful execve is seen as EOF. Then tell the tracer we are up.
fcntlInt(STATUS_FD, F_SETFD, FD_CLOEXEC);
writeSync(STATUS_FD, 'R');
const job = readJob();
try {
  process.chdir(job.cwd);
} catch (error) {
  fail('chdir', -(((error as NodeJS.ErrnoException).errno ?? -2) as number));
}
// Node marks 0-2 close-on-exec and ignores SIGPIPE/SIGXFSZ; ignored dispositions and the mask
// survive execve, so give the workload what it would get from a shell.
for (const fd of [0, 1, 2]) fcntlInt(fd, F_SETFD, 0);
signalDefault(13 /* SIGPIPE */, 0);
signalDefault(25 /* SIGXFSZ */, 0);
// glibc's posix_spawn (the tracer's) leaves its internal signals 32 and 33 ignored in the child
// (they are blocked while it runs): without this the workload would start with them ignored.
rtSigactionDefault(32);
rtSigactionDefault(33);
sigprocmask(2 /* SIG_SETMASK */, new Uint8Array(128), null);

const prog = { len: job.filter.length / 8, filter: job.filter };
const argv: (string | null)[] = [...job.argv, null];
const env: (string | null)[] = [...job.env, null];

// An empty filter (the eBPF recorder's job): no filter and no no_new_privs, as from a shell.
if (job.filter.length > 0) {
  const keepPrivileges = ((job.flags ?? 0) & JOB_KEEP_PRIVILEGES) !== 0;
  if (!keepPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) fail('prctl', errno());
  if (syscallSeccomp(syscallNumber(nativeArch(), 'seccomp')!, SECCOMP_SET_MODE_FILTER, 0, prog) !== 0)
    fail('seccomp', errno());
}
execve(job.path, argv, env);
fail('execve', errno());
