// Reading (and, for sched_getaffinity, writing) what /proc says about tracees, and signal names.
import { closeSync, openSync, readFileSync, readlinkSync, realpathSync, statSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, n]) => [n, name] as [number, string]),
);

export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `SIG${n}`;
}

/** Thread-group id of a tid, from /proc/TID/status. */
export function readTgid(tid: number): number | undefined {
  try {
    const m = /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${tid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The name a thread gave itself (/proc/TID/comm), e.g. `runc:[2:INIT]`; '' once it is gone. */
export function readComm(tid: number): string {
  try {
    return readFileSync(`/proc/${tid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Parent pid of a process, from /proc/PID/status. */
export function readPpid(pid: number): number | undefined {
  try {
    const m = /^PPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `dev:ino` of a process's root directory: it changes with chroot/pivot_root (a container). */
export function rootId(pid: number | 'self'): string | undefined {
  try {
    const st = statSync(`/proc/${pid}/root`, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** The executable of a process (`(unknown)` once it is gone). */
export function readExe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '(unknown)';
  }
}

/** realpath, or the path itself if it cannot be resolved (bytes that are not UTF-8 show as U+FFFD). */
export function realpathOr(path: string | Uint8Array): string {
  const bytes = typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength);
  try {
    return realpathSync(bytes);
  } catch {
    return bytes.toString();
  }
}

/** Writes into a stopped tracee's memory (we are its tracer, so /proc/PID/mem is writable). */
export function writeMemory(pid: number, addr: number, bytes: Uint8Array): void {
  try {
    const fd = openSync(`/proc/${pid}/mem`, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, addr);
    } finally {
      closeSync(fd);
    }
  } catch {}
}

/** A 64-bit register value as unsigned hex. */
export function hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}
