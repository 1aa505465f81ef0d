// Which libseccomp release first knows a syscall on an ABI (./tables/libseccomp-releases.ts, from
// libseccomp's release tags). Container runtimes resolve profile names with their own libseccomp
// and silently skip the names it does not know, so a profile that allows fchmodat2 still denies it
// under a runc built with libseccomp 2.5.4. Distributions patch the table without changing the
// version (Debian's 2.5.4 knows fchmodat2): where the library itself can be asked, ask it instead.
import { ABI_INFO, type Abi } from './abis.js';
import { FIRST_RELEASE, RELEASES } from './tables/libseccomp-releases.js';
import { COLUMNS } from './tables/syscalls.js';

/** A libseccomp version: major.minor.micro. */
export type LibseccompVersion = readonly [major: number, minor: number, micro: number];

/** Parses "2.5.4" (also "2.5" as 2.5.0), or undefined. */
export function parseLibseccompVersion(text: string): LibseccompVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function compareLibseccompVersions(a: LibseccompVersion, b: LibseccompVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The oldest release the data covers: a name it knows may be known to older releases too. */
export const LIBSECCOMP_OLDEST_RELEASE = RELEASES[0];
/** The newest release the data covers. */
export const LIBSECCOMP_NEWEST_RELEASE = RELEASES[RELEASES.length - 1]!;

/**
 * The first libseccomp release whose table numbers `name` on `abi` (LIBSECCOMP_OLDEST_RELEASE
 * meaning "that or older"), or undefined when no release up to LIBSECCOMP_NEWEST_RELEASE does.
 */
export function libseccompFirstRelease(abi: Abi, name: string): string | undefined {
  if (!Object.hasOwn(FIRST_RELEASE, name)) return undefined;
  const index = FIRST_RELEASE[name]![COLUMNS.indexOf(ABI_INFO[abi].table)]!;
  return index >= 0 ? RELEASES[index] : undefined;
}

/**
 * Whether an unpatched libseccomp `version` resolves `name` on `abi`. Undefined when the data
 * cannot tell: a version older than the oldest release covered asked about a name that release
 * knows, or a version newer than the newest covered asked about a name none of them knows.
 */
export function libseccompKnows(abi: Abi, name: string, version: LibseccompVersion): boolean | undefined {
  const first = libseccompFirstRelease(abi, name);
  const oldest = parseLibseccompVersion(LIBSECCOMP_OLDEST_RELEASE)!;
  const newest = parseLibseccompVersion(LIBSECCOMP_NEWEST_RELEASE)!;
  if (first === undefined) return compareLibseccompVersions(version, newest) > 0 ? undefined : false;
  if (compareLibseccompVersions(version, parseLibseccompVersion(first)!) >= 0) return true;
  return first === LIBSECCOMP_OLDEST_RELEASE && compareLibseccompVersions(version, oldest) < 0
    ? undefined
    : false;
}
