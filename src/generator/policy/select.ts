// Which executables of a recording a profile is made from: `--exe` / `--exclude-exe`, and the
// default for container recordings (the workload plus what the runtime did under the filter,
// not the engine and runtime before it: mount, pivot_root, keyctl … are none of the container's).
import type { Arch } from '../../arch/index.js';
import { syscallNumber } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { addExecutableCounts, getOrCreate } from '../../recording/builder.js';
import type { Recording } from '../../recording/schema.js';
import type { ExecutableSelection } from './options.js';

type Executables = Recording['executables'];

/** `*` (not `/`), `?`, `**` (anything); a pattern without `/` is matched against the basename. */
export function executableMatcher(pattern: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${re}$`);
  if (pattern.includes('/')) return (path) => regex.test(path);
  return (path) => regex.test(path.slice(path.lastIndexOf('/') + 1));
}

function pick(executables: Executables, selection: ExecutableSelection): Executables {
  const include = selection.include.map(executableMatcher);
  const exclude = selection.exclude.map(executableMatcher);
  return Object.fromEntries(
    Object.entries(executables).filter(
      ([exe]) => (include.length === 0 || include.some((m) => m(exe))) && !exclude.some((m) => m(exe)),
    ),
  );
}

/** The recording's syscalls as made by `executables` only (numbers and arguments as recorded). */
function restrictTo(rec: Recording, executables: Executables): Recording {
  const syscalls: Recording['syscalls'] = {};
  for (const perArch of Object.values(executables)) {
    for (const [arch, names] of Object.entries(perArch) as [Arch, Record<string, number>][]) {
      const out = getOrCreate(syscalls, arch, () => ({}));
      for (const [name, count] of Object.entries(names)) {
        const nr = rec.syscalls[arch]?.[name]?.nr ?? syscallNumber(arch, name);
        if (nr === undefined) continue;
        const have = out[name];
        if (have) have.count += count;
        else out[name] = { nr, count };
      }
    }
  }
  return { ...rec, syscalls, executables };
}

/**
 * The part of `rec` a profile is made from. With a selection: the chosen executables (an error if
 * none matches). Without: a container recording gives its workload and post-filter parts; any other
 * recording is taken whole.
 */
export function selectExecutables(rec: Recording, selection: ExecutableSelection | undefined): Recording {
  if (selection && (selection.include.length || selection.exclude.length)) {
    const chosen = pick(rec.executables, selection);
    if (Object.keys(chosen).length === 0) {
      const known = Object.keys(rec.executables).join(', ') || 'none';
      throw new ProfilerError(
        'USAGE',
        `\`--exe\`/\`--exclude-exe\` left no executable of the recording (it has: ${known})`,
      );
    }
    return restrictTo(rec, chosen);
  }
  if (!rec.container) return rec;
  const merged: Executables = {};
  addExecutableCounts(merged, rec.container.workload);
  addExecutableCounts(merged, rec.container.postFilter);
  return restrictTo(rec, merged);
}
