// The `profile show --json` shape. Other tools script against it: keep `syscalls` as is.
import type { Arch } from '../arch/index.js';
import type { Recording } from './schema.js';

export interface ShowJson {
  /** arch → syscall name → count. */
  readonly syscalls: Partial<Record<Arch, Record<string, number>>>;
  /** executable → arch → syscall name → count. */
  readonly executables: Recording['executables'];
  readonly execs: Recording['execs'];
  readonly partial: boolean;
  readonly runs: Recording['runs'];
}

/** Per-arch syscall names with counts, plus the per-executable view and provenance. */
export function showJson(rec: Recording): ShowJson {
  const syscalls: Partial<Record<Arch, Record<string, number>>> = {};
  for (const [arch, names] of Object.entries(rec.syscalls) as [Arch, Record<string, { count: number }>][]) {
    syscalls[arch] = Object.fromEntries(Object.entries(names).map(([name, { count }]) => [name, count]));
  }
  return { syscalls, executables: rec.executables, execs: rec.execs, partial: rec.partial, runs: rec.runs };
}
