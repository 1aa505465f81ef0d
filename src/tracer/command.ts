// Finding the workload's executable before anything runs, so a typo is one clean line (127/126).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ProfilerError } from '../errors.js';

/** execvp's default search path when PATH is unset. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

type Probe = 'ok' | 'missing' | 'not-executable' | 'directory';

function probe(path: string): Probe {
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

/**
 * The absolute path execvp would run for `command`: a name with a slash is taken relative to `cwd`,
 * others are searched in PATH. Throws NOT_FOUND (127) or NOT_EXECUTABLE (126) like a shell would.
 */
export function resolveCommand(command: string, pathEnv: string | undefined, cwd: string): string {
  if (command === '') throw new ProfilerError('NOT_FOUND', 'empty command name');
  if (command.includes('/')) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    switch (probe(full)) {
      case 'ok':
        return full;
      case 'missing':
        throw new ProfilerError('NOT_FOUND', `${command}: no such file`);
      case 'directory':
        throw new ProfilerError('NOT_EXECUTABLE', `${command}: is a directory`);
      default:
        throw new ProfilerError('NOT_EXECUTABLE', `${command}: permission denied (not executable)`);
    }
  }
  let denied: string | undefined;
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(delimiter)) {
    const full = resolve(cwd, join(dir === '' ? '.' : dir, command));
    const p = probe(full);
    if (p === 'ok') return full;
    if (p === 'not-executable') denied ??= full;
  }
  if (denied) throw new ProfilerError('NOT_EXECUTABLE', `${command}: permission denied (${denied})`);
  throw new ProfilerError('NOT_FOUND', `${command}: command not found`);
}
