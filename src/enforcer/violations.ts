// Violations: what the filter blocked (or would have), named and counted.
import type { Arch } from '../arch/index.js';
import { ARCHES } from '../arch/index.js';
import type { Recording } from '../recording/schema.js';
import type { FilterEvent } from '../tracer/index.js';

/** How the profile treated the syscall. */
export type ViolationKind = 'killed' | 'trapped' | 'refused' | 'would-block';

/** One syscall outside the profile, deduplicated per (arch, syscall) with counts. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly arch: Arch;
  readonly nr: number;
  readonly syscall: string;
  readonly count: number;
  /** executable path → how often it made this call. */
  readonly executables: Readonly<Record<string, number>>;
  /** For kills and traps: the pid and the six raw argument registers (hex). */
  readonly pid?: number;
  readonly args?: readonly string[];
  /** For refused or would-block calls of syscalls whose arguments are recorded: the distinct values. */
  readonly argValues?: readonly Readonly<Record<string, string>>[];
}

/** Kills and traps reported by the tracer, one Violation each (a kill ends the run). */
export function violationsFromEvents(events: readonly FilterEvent[]): Violation[] {
  return events.map((e) => ({
    kind: e.kind,
    arch: e.arch,
    nr: e.nr,
    syscall: e.name,
    count: 1,
    executables: { [e.executable]: 1 },
    pid: e.pid,
    args: e.args,
  }));
}

/** Every syscall that reached the tracer (RET_TRACE stops), deduplicated, with counts and executables. */
export function violationsFromRecording(rec: Recording, kind: ViolationKind): Violation[] {
  const out: Violation[] = [];
  for (const arch of ARCHES) {
    const calls = rec.syscalls[arch];
    if (!calls) continue;
    for (const [syscall, { nr, count }] of Object.entries(calls)) {
      const executables: Record<string, number> = {};
      for (const [exe, perArch] of Object.entries(rec.executables)) {
        const n = perArch[arch]?.[syscall];
        if (n) executables[exe] = n;
      }
      const recorded = rec.args[arch]?.[syscall];
      const argValues = recorded?.values.map((v) => {
        const named: Record<string, string> = {};
        for (const [field, value] of Object.entries(v)) {
          if (field !== 'count') named[field] = `0x${value.toString(16)}`;
        }
        return named;
      });
      out.push({
        kind,
        arch,
        nr,
        syscall,
        count,
        executables,
        ...(argValues?.length ? { argValues } : {}),
      });
    }
  }
  return out.sort((a, b) => b.count - a.count || a.syscall.localeCompare(b.syscall));
}
