// Kernel releases: parsing `uname -r`, and the release that introduced each syscall
// (./tables/kernel-releases.ts, from data/kernel-releases.csv). A profile recorded on an older
// kernel can answer ENOSYS for the newer calls, so that glibc falls back to the ones it saw.
import { isSyscallName } from './names.js';
import { FLOOR, INTRODUCED } from './tables/kernel-releases.js';

/** A kernel release at the granularity mainline adds syscalls: major.minor. */
export type KernelRelease = readonly [major: number, minor: number];

/** Parses `uname -r` output or a release: "6.18.0-12-amd64" and "6.18" both give [6, 18]. */
export function parseKernelRelease(text: string): KernelRelease | undefined {
  const m = /^(\d+)\.(\d+)(?:$|[.\-+_~])/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b`. */
export function compareKernelReleases(a: KernelRelease, b: KernelRelease): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** "6.18" */
export function formatKernelRelease(release: KernelRelease): string {
  return `${release[0]}.${release[1]}`;
}

/** Every syscall without an exact release was in mainline by this one. */
export const KERNEL_RELEASE_FLOOR: KernelRelease = parseKernelRelease(FLOOR)!;

/** When a syscall appeared in mainline. */
export interface SyscallIntroduction {
  /** The first release that had it on any ABI, or KERNEL_RELEASE_FLOOR when it is older. */
  readonly release: KernelRelease;
  /** False when `release` is the floor: the call is that old or older. */
  readonly exact: boolean;
}

/** The release that introduced `name`, or undefined when it is a syscall on no ABI. */
export function introducedIn(name: string): SyscallIntroduction | undefined {
  if (Object.hasOwn(INTRODUCED, name))
    return { release: parseKernelRelease(INTRODUCED[name]!)!, exact: true };
  return isSyscallName(name) ? { release: KERNEL_RELEASE_FLOOR, exact: false } : undefined;
}

/**
 * True when `name` came after `kernel` (a kernel that old lacks it), false when `kernel` has it.
 * Undefined when the data cannot tell: a name that is no syscall, or a kernel older than the floor
 * asked about a call only known to predate the floor.
 */
export function introducedAfter(name: string, kernel: KernelRelease): boolean | undefined {
  const intro = introducedIn(name);
  if (!intro) return undefined;
  if (compareKernelReleases(intro.release, kernel) > 0) return intro.exact ? true : undefined;
  return false;
}
