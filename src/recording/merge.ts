// Union of recordings (e.g. one per test run): counts add up, runs keep each source's provenance.
import type { Arch } from '../arch/index.js';
import { ProfilerError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { MAX_ARG_VALUES } from './arg-specs.js';
import { addExecutableCounts, compareValues, getOrCreate, orderArches } from './builder.js';
import { RECORDING_FORMAT, RECORDING_VERSION } from './format.js';
import type { Recording } from './schema.js';

type Counts = Record<string, number>;

function valueKey(values: Record<string, number>): string {
  return Object.entries(values)
    .filter(([k]) => k !== 'count')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type ExeCounts = Record<string, Partial<Record<Arch, Counts>>>;

/**
 * The container parts of a merge: summed. A recording without one (made on the host) is all
 * workload, so that generate's container default keeps what it saw.
 */
function mergeContainerParts(recs: readonly Recording[]): Recording['container'] {
  if (!recs.some((r) => r.container)) return undefined;
  const workload: ExeCounts = {};
  const postFilter: ExeCounts = {};
  for (const rec of recs) {
    addExecutableCounts(workload, rec.container ? rec.container.workload : rec.executables);
    if (rec.container) addExecutableCounts(postFilter, rec.container.postFilter);
  }
  const tidy = (m: ExeCounts) =>
    sorted(Object.fromEntries(Object.entries(m).map(([exe, a]) => [exe, orderArches(a, sorted)])));
  return { workload: tidy(workload), postFilter: tidy(postFilter) };
}

/** Merges recordings into one: runs concatenated, counts summed, argument values unioned. */
export function mergeRecordings(recs: readonly Recording[]): Recording {
  if (recs.length === 0) throw new ProfilerError('USAGE', 'nothing to merge: no recordings given');
  const syscalls: Partial<Record<Arch, Record<string, { nr: number; count: number }>>> = {};
  const executables: Record<string, Partial<Record<Arch, Counts>>> = {};
  const execs = new Map<string, number>();
  const args: Partial<
    Record<Arch, Record<string, { seen: Map<string, Record<string, number>>; truncated: boolean }>>
  > = {};
  for (const rec of recs) {
    for (const [arch, names] of Object.entries(rec.syscalls) as [
      Arch,
      Record<string, { nr: number; count: number }>,
    ][]) {
      const out = getOrCreate(syscalls, arch, () => ({}));
      for (const [name, { nr, count }] of Object.entries(names)) {
        const e = out[name];
        if (e) e.count += count;
        else out[name] = { nr, count };
      }
    }
    for (const [exe, perArch] of Object.entries(rec.executables)) {
      const outExe = getOrCreate(executables, exe, () => ({}));
      for (const [arch, names] of Object.entries(perArch) as [Arch, Counts][]) {
        const out = getOrCreate(outExe, arch, () => ({}));
        for (const [name, count] of Object.entries(names)) out[name] = (out[name] ?? 0) + count;
      }
    }
    for (const { path, count } of rec.execs) execs.set(path, (execs.get(path) ?? 0) + count);
    for (const [arch, names] of Object.entries(rec.args) as [Arch, Recording['args'][Arch] & object][]) {
      const outArch = getOrCreate(args, arch, () => ({}));
      for (const [name, bucket] of Object.entries(names)) {
        const out = getOrCreate(outArch, name, () => ({ seen: new Map(), truncated: false }));
        out.truncated ||= bucket.truncated;
        for (const values of bucket.values) {
          const key = valueKey(values);
          const have = out.seen.get(key);
          if (have) have.count = (have.count ?? 0) + (values.count ?? 0);
          else if (out.seen.size < MAX_ARG_VALUES) out.seen.set(key, { ...values });
          else out.truncated = true;
        }
      }
    }
  }
  const runs = recs.flatMap((r) => r.runs);
  const container = mergeContainerParts(recs);
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    partial: recs.some((r) => r.partial),
    runs,
    syscalls: orderArches(syscalls, sorted),
    executables: sorted(
      Object.fromEntries(Object.entries(executables).map(([exe, m]) => [exe, orderArches(m, sorted)])),
    ),
    ...(container ? { container } : {}),
    execs: [...execs]
      .map(([path, count]) => ({ path, count }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    args: orderArches(args, (names) =>
      sorted(
        Object.fromEntries(
          Object.entries(names).map(([name, b]) => [
            name,
            { values: [...b.seen.values()].sort(compareValues), truncated: b.truncated },
          ]),
        ),
      ),
    ),
  };
}
