// Turns the tracer's raw counters into a Recording (the JSON documented in docs/recording.md).
import { machine, release } from 'node:os';
import { ARCHES, type Arch, describeSyscall } from '../arch/index.js';
import { type ByteString, bytesIfNotUtf8, displayBytes } from '../util/bytes.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { RECORDING_FORMAT, RECORDING_VERSION } from './format.js';
import type { Recording, RunExit } from './schema.js';
import type { EndedProcess, RawTrace, TraceOutcome } from './trace.js';

/** Provenance of one traced run. */
export interface RunInfo {
  /** Bytes that are not UTF-8 are kept exactly, as base64 in `commandBytes`/`cwdBytes`. */
  readonly command: readonly ByteString[];
  readonly cwd: ByteString;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly outcome: TraceOutcome;
  /** The stop signal that cut the run short (passed on to the workload). */
  readonly interruptedBy?: string;
  /** Processes killed because they were still running at the end. */
  readonly ended?: readonly EndedProcess[];
  /** The recorder that made the run; written as `runs[].backend`. */
  readonly backend?: 'ptrace' | 'ebpf';
  /** Written as `runs[].notes` when not empty. */
  readonly notes?: readonly string[];
}

/** True when the run did not end on its own: what it would have done next is missing. */
export function isPartial(run: Pick<RunInfo, 'outcome' | 'interruptedBy' | 'ended'>): boolean {
  return (
    run.outcome.status === 'interrupted' || run.interruptedBy !== undefined || (run.ended?.length ?? 0) > 0
  );
}

/** The `runs[].exit` form of an outcome: a filter kill is a death by SIGSYS. */
export function runExit(outcome: TraceOutcome): RunExit {
  switch (outcome.status) {
    case 'exited':
      return { status: 'exited', code: outcome.code };
    case 'signaled':
      return { status: 'signaled', signal: outcome.signal, number: outcome.number };
    case 'killed-by-filter':
      return { status: 'signaled', signal: 'SIGSYS', number: 31 };
    case 'interrupted':
      return { status: 'interrupted' };
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `record[key]`, created with `init()` when missing. */
export function getOrCreate<K extends string, T>(
  record: Partial<Record<K, T>>,
  key: K,
  init: () => NoInfer<T>,
): T {
  const have = record[key];
  if (have !== undefined) return have;
  const made = init();
  record[key] = made;
  return made;
}

/** Builds a single-run recording from what the tracer saw. */
export function buildRecording(run: RunInfo, raw: RawTrace): Recording {
  const partial = isPartial(run);
  const commandBytes = bytesIfNotUtf8(run.command);
  const cwdBytes = bytesIfNotUtf8([run.cwd]);
  const syscalls: Partial<Record<Arch, Record<string, { nr: number; count: number }>>> = {};
  const executables: Record<string, Partial<Record<Arch, Record<string, number>>>> = {};
  for (const [exe, arch, nr, count] of raw.counts) {
    const name = describeSyscall(arch, nr);
    const perArch = getOrCreate(syscalls, arch, () => ({}));
    const entry = perArch[name];
    if (entry) entry.count += count;
    else perArch[name] = { nr, count };
    const perExe = getOrCreate(executables, exe, () => ({}));
    const names = getOrCreate(perExe, arch, () => ({}));
    names[name] = (names[name] ?? 0) + count;
  }
  const args: Recording['args'] = {};
  const truncated = new Set(raw.argsTruncated.map(([arch, name]) => `${arch}:${name}`));
  for (const [arch, name, values, count] of raw.args) {
    const perArch = getOrCreate(args, arch, () => ({}));
    const bucket = getOrCreate(perArch, name, () => ({
      values: [],
      truncated: truncated.has(`${arch}:${name}`),
    }));
    bucket.values.push({ ...values, count });
  }
  for (const perArch of Object.values(args)) {
    for (const bucket of Object.values(perArch ?? {})) bucket.values.sort(compareValues);
  }
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    partial,
    runs: [
      {
        command: run.command.map(displayBytes),
        ...(commandBytes ? { commandBytes } : {}),
        cwd: displayBytes(run.cwd),
        ...(cwdBytes ? { cwdBytes: cwdBytes[0]! } : {}),
        startedAt: run.startedAt.toISOString(),
        endedAt: run.endedAt.toISOString(),
        kernel: release(),
        machine: machine(),
        toolVersion: TOOL_VERSION,
        partial,
        exit: runExit(run.outcome),
        ...(run.interruptedBy ? { interruptedBy: run.interruptedBy } : {}),
        ...(run.ended?.length ? { ended: run.ended.map((p) => ({ ...p })) } : {}),
        processes: raw.processes,
        threads: raw.threads,
        ...(run.backend ? { backend: run.backend } : {}),
        ...(run.notes?.length ? { notes: [...run.notes] } : {}),
      },
    ],
    syscalls: orderArches(syscalls, (m) => sortKeys(m)),
    executables: sortKeys(
      Object.fromEntries(
        Object.entries(executables).map(([exe, m]) => [exe, orderArches(m, (n) => sortKeys(n))]),
      ),
    ),
    execs: raw.execs
      .map(([path, count]) => ({ path, count }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    args: orderArches(args, (m) => sortKeys(m)),
  };
}

/** executable path → arch → syscall name → count. */
export type ExecutableCounts = Record<string, Partial<Record<Arch, Record<string, number>>>>;

/** Adds `from`'s counts into `into` (same shape: executable → arch → name → count). */
export function addExecutableCounts(into: ExecutableCounts, from: ExecutableCounts): void {
  for (const [exe, perArch] of Object.entries(from)) {
    const outExe = getOrCreate(into, exe, () => ({}));
    for (const [arch, names] of Object.entries(perArch) as [Arch, Record<string, number>][]) {
      const out = getOrCreate(outExe, arch, () => ({}));
      for (const [name, count] of Object.entries(names)) out[name] = (out[name] ?? 0) + count;
    }
  }
}

/** The counts a scoped trace kept apart (TraceOptions.scopes): container processes, marked stops. */
export interface ScopedExecutables {
  readonly contained: ExecutableCounts;
  readonly marked: ExecutableCounts;
}

/** Splits the scoped counts of a raw trace out, by executable (unscoped counts are left out). */
export function scopedExecutables(raw: RawTrace): ScopedExecutables {
  const out = { contained: {} as ExecutableCounts, marked: {} as ExecutableCounts };
  for (const [exe, arch, nr, count, scope] of raw.counts) {
    if (scope === undefined) continue;
    const names = getOrCreate(
      getOrCreate(out[scope], exe, () => ({})),
      arch,
      () => ({}),
    );
    const name = describeSyscall(arch, nr);
    names[name] = (names[name] ?? 0) + count;
  }
  const sorted = (m: ExecutableCounts) =>
    sortKeys(Object.fromEntries(Object.entries(m).map(([e, a]) => [e, orderArches(a, (n) => sortKeys(n))])));
  return { contained: sorted(out.contained), marked: sorted(out.marked) };
}

/** Field-wise numeric order of argument value tuples (count last). */
export function compareValues(a: Record<string, number>, b: Record<string, number>): number {
  for (const key of Object.keys(a)) {
    if (key === 'count') continue;
    const d = (a[key] ?? 0) - (b[key] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Copies a per-arch record in ARCHES order, mapping each value. */
export function orderArches<T, U>(
  record: Partial<Record<Arch, T>>,
  map: (value: T) => U,
): Partial<Record<Arch, U>> {
  const out: Partial<Record<Arch, U>> = {};
  for (const arch of ARCHES) {
    const v = record[arch];
    if (v !== undefined) out[arch] = map(v);
  }
  return out;
}
