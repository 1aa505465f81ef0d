// What the launcher reports when it cannot start the workload ({"stage","errno"} on its status pipe),
// turned into the one-line error a shell would print, with the shell's exit code.
import { closeSync, openSync, readSync } from 'node:fs';
import { errnoText } from '../arch/errno.js';
import { ProfilerError } from '../errors.js';
import { type ByteString, displayBytes, toBytes } from '../util/bytes.js';
import type { WorkerInput } from './protocol.js';

export interface LauncherStatus {
  readonly stage: string;
  readonly errno: number;
}

/** What the launcher reported before dying (nothing when it exec'd). */
export function readLauncherStatus(fd: number): LauncherStatus | undefined {
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
    return JSON.parse(text) as LauncherStatus;
  } catch {
    return undefined;
  }
}

/** The first bytes of a file, or undefined when it cannot be read. */
function head(path: ByteString): Buffer | undefined {
  try {
    const fd = openSync(toBytes(path), 'r');
    try {
      const buf = Buffer.alloc(256);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * execve said ENOENT of a file that exists (the command was resolved before): what is missing is its
 * interpreter, the `#!` line's or the ELF one's. bash prints "cannot execute: required file not
 * found" (older ones "bad interpreter"), dash "not found"; both exit 127.
 */
function missingInterpreter(cmd: string, path: ByteString): ProfilerError {
  const bytes = head(path);
  if (bytes === undefined) return new ProfilerError('NOT_FOUND', `${cmd}: command not found`);
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    const line = bytes.subarray(2, bytes.includes(0x0a) ? bytes.indexOf(0x0a) : bytes.length);
    const interpreter = line.toString('utf8').trim().split(/[ \t]/)[0] ?? '';
    return new ProfilerError(
      'NOT_FOUND',
      `${cmd}: bad interpreter: ${interpreter}: no such file (its #! line)`,
    );
  }
  return new ProfilerError(
    'NOT_FOUND',
    `${cmd}: cannot execute: required file not found (its ELF interpreter or loader is missing)`,
  );
}

/** Turns a launcher failure into the error the user sees. */
export function launcherError(
  status: LauncherStatus | undefined,
  input: Pick<WorkerInput, 'argv' | 'path' | 'cwd'>,
): ProfilerError {
  const cmd = displayBytes(input.argv[0] ?? input.path);
  if (status === undefined) {
    return new ProfilerError('INTERNAL', `the launcher for ${cmd} died before starting it`);
  }
  const name = errnoText(status.errno);
  switch (status.stage) {
    case 'execve':
      if (status.errno === 2 /* ENOENT */) return missingInterpreter(cmd, input.path);
      return new ProfilerError('NOT_EXECUTABLE', `${cmd}: cannot execute (${name})`);
    case 'seccomp':
      return new ProfilerError(
        status.errno === 22 ? 'UNAVAILABLE' : 'BAD_INPUT',
        status.errno === 22
          ? `the kernel refused the seccomp filter (EINVAL): no seccomp filter support, or an invalid filter`
          : `cannot install the seccomp filter: ${name}`,
      );
    case 'chdir':
      return new ProfilerError(
        'NO_INPUT',
        `cannot change to directory ${displayBytes(input.cwd ?? '.')}: ${name}`,
      );
    default:
      return new ProfilerError('UNAVAILABLE', `launcher failed at ${status.stage}: ${name}`);
  }
}
