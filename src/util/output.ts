// Where results go (`-o`, `--update`, `--fix`). A path is reserved before any work, so a run that
// could not be saved fails at once (exit 73) instead of after the workload; the result then lands
// atomically. What the path names decides how it is written, never by replacing it with a file:
//
//   a regular file, or nothing yet   a temp file in the target's own directory, created at reservation,
//                                    renamed over the target at the end (readers see old or new);
//                                    the target keeps its mode (and owner, when we are root)
//   a symlink                        followed to its target, which is updated; the link stays
//   /dev/stdout, /dev/fd/N, …        written through the descriptor the profiler was given (a pipe,
//                                    a terminal or a file: what `>` set up)
//   a character device (/dev/null)   written through, never replaced
//   a FIFO, socket or block device   refused: an atomic write cannot go there, writing a FIFO blocks
//                                    until a reader comes, and a block device is a disk
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ProfilerError } from '../errors.js';

/** How a reserved output is written. */
export type OutputKind = 'file' | 'device' | 'descriptor';

/** A path checked and prepared for writing; write() once, or discard(). */
export interface ReservedOutput {
  /** The path as given. */
  readonly path: string;
  /** The file written (symlinks followed), the device, or `fd N`. */
  readonly target: string;
  readonly kind: OutputKind;
  /** Writes `data`: atomically for a file, through for a device or descriptor. Then closes. */
  write(data: string | Uint8Array): void;
  /** Gives the reservation up (removes the temp file). Safe to call twice, or after write(). */
  discard(): void;
}

const cantCreate = (path: string, reason: string, cause?: unknown): ProfilerError =>
  new ProfilerError('CANT_CREATE', `cannot write ${path}: ${reason}`, cause ? { cause } : undefined);

const reasonOf = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'directory does not exist';
  if (code === 'ENOTDIR') return 'a component of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'EBADF') return 'the descriptor is not open';
  return (error as Error).message;
};

/** `/proc/self/fd/N`, `/proc/<our pid>/fd/N`, `/proc/thread-self/fd/N`, `/dev/fd/N` → N. */
function descriptorOf(path: string): number | undefined {
  const m =
    /^\/proc\/(self|thread-self|\d+)(?:\/task\/\d+)?\/fd\/(\d+)$/.exec(path) ??
    /^\/dev\/fd\/(\d+)$/.exec(path);
  if (!m) return undefined;
  if (m.length === 2) return Number(m[1]);
  const who = m[1]!;
  return who === 'self' || who === 'thread-self' || who === String(process.pid) ? Number(m[2]) : undefined;
}

type Resolved =
  | { readonly kind: 'descriptor'; readonly fd: number }
  | { readonly kind: 'path'; readonly target: string; readonly stat?: Stats };

/** Follows symlinks (at most 40, as the kernel does) to what `path` finally names. */
function resolveTarget(path: string): Resolved {
  let p = resolve(path);
  for (let hops = 0; hops <= 40; hops++) {
    const fd = descriptorOf(p);
    if (fd !== undefined) return { kind: 'descriptor', fd };
    let dir: string;
    try {
      dir = realpathSync(dirname(p));
    } catch (error) {
      throw cantCreate(path, reasonOf(error), error);
    }
    p = join(dir, basename(p));
    const viaDir = descriptorOf(p);
    if (viaDir !== undefined) return { kind: 'descriptor', fd: viaDir };
    let stat: Stats;
    try {
      stat = lstatSync(p);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'path', target: p };
      throw cantCreate(path, reasonOf(error), error);
    }
    if (!stat.isSymbolicLink()) return { kind: 'path', target: p, stat };
    p = resolve(dir, readlinkSync(p));
  }
  throw cantCreate(path, 'too many levels of symbolic links');
}

/** Why a non-regular file is refused, or undefined for the kinds that are written through. */
function refusal(stat: Stats): string | undefined {
  if (stat.isDirectory()) return 'it is a directory';
  if (stat.isFIFO())
    return 'it is a FIFO (refused: writing it would block until a reader opens it, and it cannot be replaced atomically; use -o /dev/stdout and a shell pipe)';
  if (stat.isSocket()) return 'it is a socket';
  if (stat.isBlockDevice()) return 'it is a block device (refused: it holds a file system or a disk)';
  return undefined;
}

/** Temp files not yet renamed or removed; removed when the process exits. */
const pending = new Set<string>();
let cleanupInstalled = false;
function track(tmp: string): void {
  pending.add(tmp);
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const t of pending) {
      try {
        unlinkSync(t);
      } catch {}
    }
  });
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** Rejects paths that can never name a file: empty, or ending in `/`. */
export function assertOutputPath(path: string): void {
  if (path === '') throw new ProfilerError('USAGE', 'the output path is empty: name a file');
  if (path.endsWith('/'))
    throw new ProfilerError(
      'USAGE',
      `the output path ${path} ends in /, so it names a directory: name a file`,
    );
}

/** Through a descriptor or device: nothing to rename, nothing to remove. */
function through(path: string, target: string, kind: OutputKind, fd: number, owned: boolean): ReservedOutput {
  let done = false;
  const close = () => {
    if (!done && owned) closeSync(fd);
    done = true;
  };
  return {
    path,
    target,
    kind,
    write(data) {
      if (done) throw new Error(`output ${path} was already written or discarded`);
      try {
        writeAll(fd, data);
      } catch (error) {
        throw cantCreate(path, reasonOf(error), error);
      } finally {
        close();
      }
    },
    discard: close,
  };
}

/**
 * Checks `path` and prepares it for writing: creates the temp file a regular file will be renamed
 * from (proving the directory writable), or opens the device. Throws ProfilerError: USAGE for an
 * empty path or one ending in `/`, CANT_CREATE for anything that cannot be written.
 */
export function reserveOutput(path: string, options: { readonly mode?: number } = {}): ReservedOutput {
  assertOutputPath(path);
  const resolved = resolveTarget(path);
  if (resolved.kind === 'descriptor') {
    const { fd } = resolved;
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw cantCreate(path, `descriptor ${fd} is a directory`);
    } catch (error) {
      if (error instanceof ProfilerError) throw error;
      throw cantCreate(path, `descriptor ${fd} is not open`, error);
    }
    return through(path, `fd ${fd}`, 'descriptor', fd, false);
  }
  const { target, stat } = resolved;
  const refused = stat ? refusal(stat) : undefined;
  if (refused) throw cantCreate(path, refused);
  if (stat?.isCharacterDevice()) {
    try {
      const fd = openSync(target, constants.O_WRONLY | constants.O_NOCTTY);
      return through(path, target, 'device', fd, true);
    } catch (error) {
      throw cantCreate(path, reasonOf(error), error);
    }
  }
  return reserveFile(path, target, stat, options.mode);
}

/** `mode` (umask applies) for the new file; without it, a replaced file keeps its mode. */
function reserveFile(
  path: string,
  target: string,
  existing: Stats | undefined,
  mode?: number,
): ReservedOutput {
  const name = basename(target).slice(0, 100);
  const tmp = join(dirname(target), `.${name}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode ?? 0o666);
    track(tmp);
    if (existing) {
      if (mode === undefined) fchmodSync(fd, existing.mode & 0o7777);
      if (process.getuid?.() === 0) fchownSync(fd, existing.uid, existing.gid);
    }
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    pending.delete(tmp);
    try {
      unlinkSync(tmp);
    } catch {}
    // The directory exists (it was resolved): ENOENT here is a file system that creates no files (/proc).
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `cannot create a file in ${dirname(target)}` : reasonOf(error);
    throw cantCreate(path, reason, error);
  }
  let open: number | undefined = fd;
  const discard = () => {
    if (open !== undefined) closeSync(open);
    open = undefined;
    if (pending.delete(tmp)) {
      try {
        unlinkSync(tmp);
      } catch {}
    }
  };
  return {
    path,
    target,
    kind: 'file',
    write(data) {
      if (open === undefined) throw new Error(`output ${path} was already written or discarded`);
      try {
        writeAll(open, data);
        fsyncSync(open);
        closeSync(open);
        open = undefined;
        // The target may have changed since the reservation: never rename over anything but a file.
        let now: Stats | undefined;
        try {
          now = lstatSync(target);
        } catch {}
        const refused = now && !now.isFile() ? (refusal(now) ?? 'it is no longer a regular file') : undefined;
        if (refused) throw cantCreate(path, refused);
        renameSync(tmp, target);
        pending.delete(tmp);
        syncDirectory(dirname(target));
      } catch (error) {
        discard();
        throw error instanceof ProfilerError ? error : cantCreate(path, reasonOf(error), error);
      }
    },
    discard,
  };
}

/** The rename is durable once the directory is synced; a directory we cannot open is skipped. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {}
}
