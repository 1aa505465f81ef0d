// Turning the maps into the same RawTrace the ptrace recorder produces (src/tracer/protocol.ts), so
// that everything downstream, from buildRecording() on, is shared; plus notes on what the maps
// could not hold.
import { ARCHES, type Arch, describeSyscall, syscallNumber, X32_SYSCALL_BIT } from '../../arch/index.js';
import { MAX_ARG_VALUES } from '../../recording/arg-specs.js';
import type { CountScope, RawTrace } from '../../recording/trace.js';
import { ABIS, argSpecs } from './arg-table.js';
import { mapLookup } from './bpf.js';
import { dumpMap, eachNonZeroU64 } from './dump.js';
import {
  ABI_X32,
  ARG_KEY,
  COUNT_KEY,
  IMAGE_KEY,
  IMAGE_VALUE,
  MAX_ARG_TUPLES,
  MAX_COUNTS,
  MAX_IMAGES,
  MAX_PROCS,
  type Maps,
  NR_SLOTS,
  PATH_BUF,
  PATH_TRUNCATED,
  PATH_VALUE,
  SCOPE_CONTAINED,
  SCOPE_MARKED,
  SCOPE_SHIFT,
  SLOT_ARGN,
  SLOT_OVERFLOW,
  SLOT_VALUE,
  SLOTS_PER_IMAGE,
  STAT,
  STATS_VALUE,
  UNKNOWN_IMAGE,
} from './maps.js';
import { allocNative } from './native.js';
import { PATH_DELETED } from './programs/exec.js';

/** Names used where the maps could not say which executable made a call. */
export const UNKNOWN_EXECUTABLE = '(unknown executable)';
export const UNATTRIBUTED = '(unattributed)';

/** What user space knows besides the maps. */
export interface CollectContext {
  /** The executable the launcher execs (its execve is the workload's first syscall). */
  readonly launcherTarget: string | undefined;
  /** Image ids handed out by user space (processes followed after their exec) → path. */
  readonly userImages: ReadonlyMap<number, string>;
  /** Processes and threads followed by user space (not counted by the programs). */
  readonly extraProcesses: number;
}

export interface Collected {
  readonly raw: RawTrace;
  readonly notes: string[];
}

/** A little-endian u64 as a number (exact below 2^53, as the ptrace recorder's hi * 2^32 + lo). */
function u64(view: DataView, off: number): number {
  return view.getUint32(off + 4, true) * 0x100000000 + view.getUint32(off, true);
}

/** One slot's value (a view on fresh memory), or undefined. */
function readSlot(maps: Maps, index: number): DataView | undefined {
  const key = allocNative(4);
  const value = allocNative(SLOT_VALUE);
  try {
    key.view.setUint32(0, index, true);
    return mapLookup(maps.slots, key.address, value.address)
      ? new DataView(value.bytes.slice().buffer)
      : undefined;
  } finally {
    key.free();
    value.free();
  }
}

/** The u64 counters of the stats map. */
export function readStats(maps: Maps): Record<keyof typeof STAT, number> {
  const key = allocNative(4);
  const value = allocNative(STATS_VALUE);
  try {
    mapLookup(maps.stats, key.address, value.address);
    const out = {} as Record<keyof typeof STAT, number>;
    for (const [name, off] of Object.entries(STAT)) {
      out[name as keyof typeof STAT] = Number(value.view.getBigUint64(off, true));
    }
    return out;
  } finally {
    key.free();
    value.free();
  }
}

function readPath(maps: Maps, id: number): string | undefined {
  const key = allocNative(4);
  const value = allocNative(PATH_VALUE);
  try {
    key.view.setUint32(0, id, true);
    if (!mapLookup(maps.paths, key.address, value.address)) return undefined;
    const start = value.view.getUint32(0, true);
    const flags = value.view.getUint32(4, true);
    if (start > PATH_BUF) return undefined;
    let path = Buffer.from(value.bytes.subarray(8 + start, 8 + PATH_BUF)).toString('utf8');
    if (path === '') path = '/';
    if (flags & PATH_TRUNCATED) path = `…${path}`;
    if (flags & PATH_DELETED) path += ' (deleted)';
    return path;
  } finally {
    key.free();
    value.free();
  }
}

/** Reads every map into a RawTrace. Call once the workload is gone. */
export function collect(maps: Maps, ctx: CollectContext): Collected {
  const notes: string[] = [];
  const stats = readStats(maps);
  const paths = new Map<number, string>(ctx.userImages);
  let truncatedPaths = 0;
  const pathOf = (id: number): string => {
    let p = paths.get(id);
    if (p === undefined) {
      p = id === UNKNOWN_IMAGE ? UNKNOWN_EXECUTABLE : (readPath(maps, id) ?? UNKNOWN_EXECUTABLE);
      if (p.startsWith('…')) truncatedPaths++;
      paths.set(id, p);
    }
    return p;
  };

  const counts: [string, Arch, number, number, CountScope?][] = [];
  dumpMap(maps.counts, COUNT_KEY, 8, (k, ko, v, vo) => {
    const word = k.getUint32(ko + 8, true);
    const count: [string, Arch, number, number, CountScope?] = [
      pathOf(k.getUint32(ko, true)),
      ARCHES[word & ((1 << SCOPE_SHIFT) - 1)]!,
      k.getInt32(ko + 4, true),
      u64(v, vo),
    ];
    const scope = word >>> SCOPE_SHIFT;
    if (scope === SCOPE_CONTAINED) count.push('contained');
    else if (scope === SCOPE_MARKED) count.push('marked');
    counts.push(count);
  });
  // Image ids start at 1 and go up to stats.nextImage: only their rows of fastCounts are read.
  const fastImages = Math.min(stats.nextImage + 1, maps.fastImages);
  eachNonZeroU64(maps.fastCounts, fastImages * SLOTS_PER_IMAGE, (index, n) => {
    const slot = index % SLOTS_PER_IMAGE;
    const abi = Math.floor(slot / NR_SLOTS);
    const nr = slot % NR_SLOTS;
    counts.push([
      pathOf(Math.floor(index / SLOTS_PER_IMAGE)),
      ARCHES[abi]!,
      abi === ABI_X32 ? (X32_SYSCALL_BIT | nr) >>> 0 : nr,
      n,
    ]);
  });
  if (ctx.launcherTarget !== undefined) {
    const [execve, execveat] = [syscallNumber('x86_64', 'execve')!, syscallNumber('x86_64', 'execveat')!];
    if (stats.launcherExecve > 0) counts.push([ctx.launcherTarget, 'x86_64', execve, stats.launcherExecve]);
    if (stats.launcherExecveat > 0)
      counts.push([ctx.launcherTarget, 'x86_64', execveat, stats.launcherExecveat]);
  }

  const args: [Arch, string, Record<string, number>, number][] = [];
  const specFields = new Map(
    ABIS.flatMap((abi) => argSpecs(abi).map((s) => [abi * 0x100000000 + s.nr, s] as const)),
  );
  /** Distinct tuples kept per (ABI, nr), to know which lists may have been cut. */
  const kept = new Map<number, number>();
  dumpMap(maps.args, ARG_KEY, 8, (k, ko, v, vo) => {
    const abi = k.getUint32(ko, true);
    const nr = k.getUint32(ko + 4, true);
    const spec = specFields.get(abi * 0x100000000 + nr);
    if (!spec) return;
    const values: Record<string, number> = {};
    spec.fields.forEach((f, j) => {
      values[f.name] = u64(k, ko + 8 + 8 * j);
    });
    // Named as the ptrace recorder names them (the table's first name for the number).
    const arch = ARCHES[abi]!;
    args.push([arch, describeSyscall(arch, spec.nr), values, u64(v, vo)]);
    kept.set(abi * 0x100000000 + nr, (kept.get(abi * 0x100000000 + nr) ?? 0) + 1);
  });
  // A list was cut when its slot counted more tuples than MAX_ARG_VALUES: possible only for a full
  // list, or for any list once the args map itself was full.
  const argsTruncated: [Arch, string][] = [];
  const mapFull = args.length >= MAX_ARG_TUPLES;
  for (const [key, spec] of specFields) {
    if (!mapFull && kept.get(key) !== MAX_ARG_VALUES) continue;
    const abi = Math.floor(key / 0x100000000);
    const slot = readSlot(maps, abi * NR_SLOTS + (abi === ABI_X32 ? spec.nr & ~X32_SYSCALL_BIT : spec.nr));
    if (slot && slot.getUint32(SLOT_ARGN, true) > MAX_ARG_VALUES) {
      argsTruncated.push([ARCHES[abi]!, describeSyscall(ARCHES[abi]!, spec.nr)]);
    }
  }
  if (mapFull)
    notes.push(`argument values are incomplete: more than ${MAX_ARG_TUPLES} distinct tuples in all`);

  // Calls the counts map had no room for were counted per (ABI, nr) in the slots: rare, so the
  // 3072 slots are read only then.
  if (stats.overflowCalls > 0) {
    dumpMap(maps.slots, 4, SLOT_VALUE, (k, ko, v, vo) => {
      const overflow = u64(v, vo + SLOT_OVERFLOW);
      if (overflow === 0) return;
      const slot = k.getUint32(ko, true);
      const abi = Math.floor(slot / NR_SLOTS);
      const nr = (slot % NR_SLOTS) | (abi === ABI_X32 ? X32_SYSCALL_BIT : 0);
      counts.push([UNATTRIBUTED, ARCHES[abi]!, nr, overflow]);
    });
    notes.push(
      `${stats.overflowCalls} calls are counted without their executable (listed under ${UNATTRIBUTED}): more than ${MAX_COUNTS} distinct (executable, ABI, syscall) triples`,
    );
  }
  if (stats.otherOverflow > 0) {
    notes.push(
      `${stats.otherOverflow} calls with numbers past ${NR_SLOTS - 1} could not be counted: the counts map was full`,
    );
  }

  const execs = new Map<string, number>();
  dumpMap(maps.images, IMAGE_KEY, IMAGE_VALUE, (_k, _ko, v, vo) => {
    const path = pathOf(v.getUint32(vo, true));
    execs.set(path, (execs.get(path) ?? 0) + u64(v, vo + 8));
  });
  if (stats.unknownImageExecs > 0) {
    execs.set(UNKNOWN_EXECUTABLE, (execs.get(UNKNOWN_EXECUTABLE) ?? 0) + stats.unknownImageExecs);
    notes.push(
      `${stats.unknownImageExecs} execs ran executables past the first ${MAX_IMAGES - 1} distinct ones: their calls are listed under ${UNKNOWN_EXECUTABLE}`,
    );
  }
  if (truncatedPaths > 0)
    notes.push(`${truncatedPaths} executable paths were too long and are cut at the front (…)`);
  if (stats.lostProcs > 0) {
    notes.push(
      `${stats.lostProcs} processes could not be followed (more than ${MAX_PROCS} alive at once): their syscalls are missing`,
    );
  }
  return {
    raw: {
      counts,
      args,
      argsTruncated,
      execs: [...execs],
      processes: stats.processes + ctx.extraProcesses,
      threads: stats.threads + ctx.extraProcesses,
      pinned: false,
    },
    notes,
  };
}
