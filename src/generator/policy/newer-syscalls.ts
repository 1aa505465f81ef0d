// Syscalls newer than the kernel a recording was made on. On that kernel the workload ran with every
// one of them missing (the kernel answered ENOSYS), so answering ENOSYS is behaviour the recording has
// shown it handles: glibc tries fchmodat2 or clone3 first and falls back to fchmodat or clone on
// ENOSYS. A kill there (the usual default) breaks the workload as soon as libc or the kernel is
// upgraded (moby#42680, crun#646). Numbers above the syscall table are newer than any kernel we know.

import { errnoNumber } from '../../arch/errno.js';
import {
  type Arch,
  compareKernelReleases,
  formatKernelRelease,
  introducedAfter,
  type KernelRelease,
  parseKernelRelease,
  syscallNames,
  syscallNumber,
  unnamedNumbersAbove,
} from '../../arch/index.js';
import type { Recording } from '../../recording/schema.js';
import type { Action, NumberRange, Rule } from './types.js';
import { sameAction } from './types.js';

const ENOSYS: Action = { kind: 'errno', errno: errnoNumber('ENOSYS')! };

/** The oldest kernel release among the recordings' runs; undefined when none can be parsed. */
export function oldestRecordedKernel(recs: readonly Recording[]): KernelRelease | undefined {
  let oldest: KernelRelease | undefined;
  for (const rec of recs)
    for (const run of rec.runs) {
      const release = parseKernelRelease(run.kernel);
      if (release && (!oldest || compareKernelReleases(release, oldest) < 0)) oldest = release;
    }
  return oldest;
}

/**
 * True when ENOSYS for newer syscalls changes anything: the default blocks (kill, trap, another
 * errno). An allowing, logging or tracing default already lets them through or hands them over.
 */
export function answersNewerWithEnosys(defaultAction: Action): boolean {
  const { kind } = defaultAction;
  const blocking = kind === 'kill-process' || kind === 'kill-thread' || kind === 'trap' || kind === 'errno';
  return blocking && !sameAction(defaultAction, ENOSYS);
}

/** ENOSYS rules for `arch`'s syscalls introduced after `kernel`, except the names in `taken`. */
export function newerSyscallRules(arch: Arch, kernel: KernelRelease, taken: ReadonlySet<string>): Rule[] {
  const out: Rule[] = [];
  for (const name of syscallNames(arch)) {
    if (taken.has(name) || introducedAfter(name, kernel) !== true) continue;
    out.push({ syscall: name, nr: syscallNumber(arch, name)!, action: ENOSYS, conditions: [] });
  }
  return out;
}

/** ENOSYS for `arch`'s numbers above its syscall table (rules still decide the numbers they name). */
export function newerNumberRanges(arch: Arch): NumberRange[] {
  return unnamedNumbersAbove(arch).map(([lo, hi]) => ({ lo, hi, action: ENOSYS }));
}

/** The provenance note saying what was done, naming the syscalls per ABI. */
export function newerSyscallsNote(
  kernel: KernelRelease,
  rules: Partial<Record<Arch, readonly Rule[]>>,
): string {
  const perArch = Object.entries(rules)
    .filter(([, list]) => list && list.length > 0)
    .map(([arch, list]) => `${arch} ${list!.map((r) => r.syscall).join(' ')}`);
  return (
    `syscalls introduced after Linux ${formatKernelRelease(kernel)} (the oldest kernel recorded on) return ENOSYS ` +
    'instead of the default action, so that libc falls back to calls the recording saw' +
    `${perArch.length ? `: ${perArch.join('; ')}` : ''} (--no-enosys-newer turns this off)`
  );
}

/** The note for recordings whose kernel cannot be read: nothing was changed. */
export function unknownKernelNote(): string {
  return 'no recording says which kernel it was made on: newer syscalls get the default action';
}
