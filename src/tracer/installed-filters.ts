// What seccomp has installed in a running process: its mode and filters from /proc/PID/status, and
// each filter's program read back with PTRACE_SECCOMP_GET_FILTER (needs CAP_SYS_ADMIN and a kernel
// with CONFIG_CHECKPOINT_RESTORE). The process is seized, interrupted, read and detached: it goes on
// running as before. Everything happens on the calling thread (ptrace is thread-affine).
import { readFileSync } from 'node:fs';
import { errnoNumber, errnoText } from '../arch/errno.js';
import { ProfilerError } from '../errors.js';
import {
  PTRACE_DETACH,
  PTRACE_INTERRUPT,
  PTRACE_SECCOMP_GET_FILTER,
  PTRACE_SEIZE,
  WALL,
} from './constants.js';
import { errno, ptraceBuf, ptraceInt, waitpid } from './libc.js';

const [EPERM, ESRCH, EINVAL, ENOENT] = ['EPERM', 'ESRCH', 'EINVAL', 'ENOENT'].map((n) => errnoNumber(n)!);
const SECCOMP_MODES = ['disabled', 'strict', 'filter'] as const;

/** A process's seccomp state. */
export interface InstalledFilters {
  readonly pid: number;
  readonly mode: (typeof SECCOMP_MODES)[number];
  /** no_new_privs of the process. */
  readonly noNewPrivileges: boolean;
  /** Raw sock_filter[] of each filter, the most recently installed first (the kernel's order). */
  readonly filters: readonly Uint8Array[];
}

function statusOf(pid: number): { mode: number; count: number; nnp: boolean } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProfilerError('NO_INPUT', `no process ${pid}${code === 'ENOENT' ? '' : ` (${code})`}`, {
      cause: error,
    });
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { mode: field('Seccomp'), count: field('Seccomp_filters'), nnp: field('NoNewPrivs') === 1 };
}

function refused(pid: number, what: string, err: number): ProfilerError {
  if (err === ESRCH || err === ENOENT) return new ProfilerError('NO_INPUT', `process ${pid} is gone`);
  if (err === EPERM)
    return new ProfilerError(
      'UNAVAILABLE',
      `${what} process ${pid}: EPERM (reading a process's filters needs root or CAP_SYS_ADMIN, and a process nobody else traces)`,
    );
  if (err === EINVAL && what === 'read the filters of')
    return new ProfilerError(
      'UNAVAILABLE',
      `this kernel cannot hand out seccomp filters (PTRACE_SECCOMP_GET_FILTER: EINVAL; it needs CONFIG_CHECKPOINT_RESTORE)`,
    );
  return new ProfilerError('UNAVAILABLE', `cannot ${what} process ${pid}: ${errnoText(err)}`);
}

/** Reads `pid`'s seccomp mode and filters. Throws ProfilerError (NO_INPUT, UNAVAILABLE) with one line. */
export function readInstalledFilters(pid: number): InstalledFilters {
  const { mode, count, nnp } = statusOf(pid);
  const base = { pid, mode: SECCOMP_MODES[mode] ?? 'filter', noNewPrivileges: nnp } as const;
  if (mode !== 2 || count === 0) return { ...base, filters: [] };
  if (ptraceInt(PTRACE_SEIZE, pid, 0, 0) !== 0) throw refused(pid, 'attach to', errno());
  const filters: Uint8Array[] = [];
  try {
    if (ptraceInt(PTRACE_INTERRUPT, pid, 0, 0) !== 0) throw refused(pid, 'stop', errno());
    const status = new Int32Array(1);
    if (waitpid(pid, status, WALL) !== pid) throw refused(pid, 'stop', errno());
    for (let i = 0; i < count; i++) {
      const n = ptraceInt(PTRACE_SECCOMP_GET_FILTER, pid, i, 0);
      if (n <= 0) throw refused(pid, 'read the filters of', errno());
      const bytes = new Uint8Array(n * 8);
      if (ptraceBuf(PTRACE_SECCOMP_GET_FILTER, pid, i, bytes) !== n)
        throw refused(pid, 'read the filters of', errno());
      filters.push(bytes);
    }
  } finally {
    ptraceInt(PTRACE_DETACH, pid, 0, 0);
  }
  return { ...base, filters };
}
