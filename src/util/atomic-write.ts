// Atomic file writes: temp file in the same directory, fsync, rename.
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ProfilerError } from '../errors.js';

/** Writes `data` to `path` so readers see the old file or the whole new one, never a torn one. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw new ProfilerError('CANT_CREATE', `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Fails early, before any work, when `path` could not be written later:
 * its directory must exist and be writable, and an existing `path` must not be a directory.
 */
export function assertWritable(path: string): void {
  const target = resolve(path);
  const dir = dirname(target);
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'directory does not exist'
        : (error as Error).message;
    throw new ProfilerError('CANT_CREATE', `cannot write ${path}: ${reason}`, { cause: error });
  }
  try {
    if (statSync(target).isDirectory())
      throw new ProfilerError('CANT_CREATE', `cannot write ${path}: it is a directory`);
  } catch (error) {
    if (error instanceof ProfilerError) throw error;
  }
}
