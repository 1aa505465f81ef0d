// An exclusive lock beside a file, so that read-modify-write cycles on it (`record --append`) from
// parallel processes run one after the other and none is lost.
//
// flock(2) on `.NAME.lock` in the file's directory: the kernel drops it when its holder dies, so a
// crashed run never leaves a stale lock. The lock file is removed by its holder before unlocking;
// whoever then gets the lock on the removed file sees that the path no longer names it and starts
// over, so two holders can never overlap. Node has no flock: it is called through koffi (the FFI
// the tracer already uses), loaded only when a lock is taken.
import { closeSync, fstatSync, openSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type Koffi from 'koffi';
import { errnoNumber, errnoText } from '../arch/errno.js';
import { ProfilerError } from '../errors.js';

const LOCK_EX = 2;
const LOCK_NB = 4;

type Flock = (fd: number, operation: number) => number;
let flockFn: { flock: Flock; errno: () => number } | undefined;

function libcFlock(): { flock: Flock; errno: () => number } {
  if (!flockFn) {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const flock = koffi.load('libc.so.6').func('int flock(int fd, int operation)') as Flock;
    flockFn = { flock, errno: () => koffi.errno() };
  }
  return flockFn;
}

/** The lock file used for `path`. */
export function lockPathFor(path: string): string {
  return join(dirname(path), `.${basename(path).slice(0, 200)}.lock`);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Runs `fn` holding the exclusive lock of `path` (a file that may not exist yet). Waits for other
 * holders up to `timeoutMs`, polling, so the event loop and signals keep working; then fails with
 * CANT_CREATE naming the lock file.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const lockPath = lockPathFor(path);
  const { flock, errno } = libcFlock();
  const wouldBlock = errnoNumber('EWOULDBLOCK');
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; ) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'a', 0o666);
    } catch (error) {
      throw new ProfilerError('CANT_CREATE', `cannot lock ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      while (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
        const e = errno();
        if (e !== wouldBlock)
          throw new ProfilerError('CANT_CREATE', `cannot lock ${path}: flock: ${errnoText(e)}`);
        if (Date.now() >= deadline)
          throw new ProfilerError(
            'CANT_CREATE',
            `cannot lock ${path}: ${lockPath} is still held after ${Math.round(timeoutMs / 1000)} s by another process`,
          );
        await sleep(delay);
        delay = Math.min(delay * 2, 50);
      }
      // The holder before us removed the file we locked: the path names another one now. Start over.
      const mine = fstatSync(fd);
      let current: ReturnType<typeof statSync> | undefined;
      try {
        current = statSync(lockPath);
      } catch {}
      if (!current || current.ino !== mine.ino || current.dev !== mine.dev) continue;
      try {
        return await fn();
      } finally {
        try {
          unlinkSync(lockPath);
        } catch {}
      }
    } finally {
      // Closing the descriptor releases the lock.
      closeSync(fd);
    }
  }
}
