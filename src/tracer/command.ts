// Finding the workload's executable before anything runs, so a typo is one clean line (127/126).
// Names and paths are bytes (a program name need not be UTF-8).
import { accessSync, constants, statSync } from 'node:fs';
import { ProfilerError } from '../errors.js';
import { type ByteString, displayBytes, toBytes } from '../util/bytes.js';

/** execvp's default search path when PATH is unset. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
const SLASH = 0x2f;

type Probe = 'ok' | 'missing' | 'not-executable' | 'directory';

function probe(path: Buffer): Probe {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'directory';
    if (!st.isFile()) return 'not-executable';
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? 'missing'
      : 'not-executable';
  }
}

/** `name` under `dir`; a relative result is taken relative to `cwd` (or left relative: this process's). */
function join(cwd: Buffer | undefined, dir: Buffer, name: Buffer): Buffer {
  const under = dir.length === 0 ? name : Buffer.concat([dir, Buffer.from('/'), name]);
  return under[0] === SLASH || cwd === undefined ? under : Buffer.concat([cwd, Buffer.from('/'), under]);
}

function fromBuffer(bytes: Buffer, like: ByteString): ByteString {
  return typeof like === 'string' ? bytes.toString('utf8') : bytes;
}

/**
 * The path execvp would run for `command`: a name with a slash is taken relative to `cwd` (undefined:
 * this process's, which the workload inherits), others are searched in PATH. Throws NOT_FOUND (127)
 * or NOT_EXECUTABLE (126) like a shell would.
 */
export function resolveCommand(command: string, pathEnv: string | undefined, cwd: string | undefined): string;
export function resolveCommand(
  command: ByteString,
  pathEnv: string | undefined,
  cwd: ByteString | undefined,
): ByteString;
export function resolveCommand(
  command: ByteString,
  pathEnv: string | undefined,
  cwd: ByteString | undefined,
): ByteString {
  const name = toBytes(command);
  const shown = displayBytes(command);
  const base = cwd === undefined ? undefined : toBytes(cwd);
  if (name.length === 0) throw new ProfilerError('NOT_FOUND', 'empty command name');
  if (name.includes(SLASH)) {
    const full = join(base, Buffer.alloc(0), name);
    switch (probe(full)) {
      case 'ok':
        return fromBuffer(full, command);
      case 'missing':
        throw new ProfilerError('NOT_FOUND', `${shown}: no such file`);
      case 'directory':
        throw new ProfilerError('NOT_EXECUTABLE', `${shown}: is a directory`);
      default:
        throw new ProfilerError('NOT_EXECUTABLE', `${shown}: permission denied (not executable)`);
    }
  }
  let denied: Buffer | undefined;
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(':')) {
    const full = join(base, Buffer.from(dir), name);
    const p = probe(full);
    if (p === 'ok') return fromBuffer(full, command);
    if (p === 'not-executable') denied ??= full;
  }
  if (denied) {
    throw new ProfilerError('NOT_EXECUTABLE', `${shown}: permission denied (${denied.toString('utf8')})`);
  }
  throw new ProfilerError('NOT_FOUND', `${shown}: command not found`);
}
