// Accumulators of the trace loop, shaped for the hot path: one Float64Array per executable,
// indexed by arch * NR_SLOTS + nr; rare numbers (negative, huge) go to a Map.
import { ARCHES, type Arch, syscallNumber, X32_SYSCALL_BIT } from '../arch/index.js';
import { ARG_SPECS, type ArgField, MAX_ARG_VALUES } from '../recording/arg-specs.js';
import type { CountScope, RawTrace } from './protocol.js';

export const NR_SLOTS = 1024;
/** Arch index used in the counters: position in ARCHES (x86_64 0, i386 1, x32 2, aarch64 3). */
export const ARCH_X86_64 = 0;
export const ARCH_I386 = 1;
export const ARCH_X32 = 2;
export const ARCH_AARCH64 = 3;

/** Syscall counts of one executable path. */
export class ExeCounters {
  readonly counts = new Float64Array(ARCHES.length * NR_SLOTS);
  /** `${archIndex}:${nr}` → count, for numbers outside [0, NR_SLOTS). */
  readonly other = new Map<string, number>();
  constructor(
    readonly path: string,
    readonly scope?: CountScope,
  ) {}
}

interface ArgBucket {
  readonly arch: Arch;
  readonly name: string;
  readonly seen: Map<string, { values: Record<string, number>; count: number }>;
  truncated: boolean;
}

/** Per (arch, nr) slot: the argument fields to capture, or undefined. */
function buildSpecTable(): (readonly ArgField[] | undefined)[] {
  const table: (readonly ArgField[] | undefined)[] = new Array(ARCHES.length * NR_SLOTS);
  ARCHES.forEach((arch, a) => {
    for (const [name, fields] of Object.entries(ARG_SPECS)) {
      // i386 `mmap` is old_mmap: its only argument points to a struct in memory.
      if (arch === 'i386' && name === 'mmap') continue;
      const nr = syscallNumber(arch, name);
      if (nr === undefined) continue;
      const idx = arch === 'x32' ? nr & ~X32_SYSCALL_BIT : nr;
      if (idx >= 0 && idx < NR_SLOTS) table[a * NR_SLOTS + idx] = fields;
    }
  });
  return table;
}

export class Counters {
  readonly exes = new Map<string, ExeCounters>();
  readonly specs = buildSpecTable();
  /** 1 once (arch, nr) was seen anywhere: for the distinct count shown while tracing. */
  readonly seen = new Uint8Array(ARCHES.length * NR_SLOTS);
  readonly seenOther = new Set<string>();
  distinct = 0;
  readonly execs = new Map<string, number>();
  private readonly args = new Map<number, ArgBucket>();

  exe(path: string, scope?: CountScope): ExeCounters {
    const key = scope === undefined ? path : `${scope}\0${path}`;
    let c = this.exes.get(key);
    if (!c) {
      c = new ExeCounters(path, scope);
      this.exes.set(key, c);
    }
    return c;
  }

  /** Counts a syscall whose number lies outside the fast table. Returns true when it is new. */
  countOther(exe: ExeCounters, archIndex: number, nr: number): boolean {
    const key = `${archIndex}:${nr}`;
    exe.other.set(key, (exe.other.get(key) ?? 0) + 1);
    if (this.seenOther.has(key)) return false;
    this.seenOther.add(key);
    this.distinct++;
    return true;
  }

  /** Records the argument values of one call. `lo`/`hi` are the 32-bit halves of args[0..5]. */
  captureArgs(
    slot: number,
    fields: readonly ArgField[],
    name: string,
    words: Uint32Array,
    base: number,
  ): void {
    let bucket = this.args.get(slot);
    if (!bucket) {
      const arch = ARCHES[Math.floor(slot / NR_SLOTS)]!;
      bucket = { arch, name, seen: new Map(), truncated: false };
      this.args.set(slot, bucket);
    }
    let key = '';
    const values: Record<string, number> = {};
    for (const f of fields) {
      const lo = words[base + f.index * 2]!;
      const v = f.bits === 32 ? lo : words[base + f.index * 2 + 1]! * 0x100000000 + lo;
      values[f.name] = v;
      key += `${v},`;
    }
    const entry = bucket.seen.get(key);
    if (entry) entry.count++;
    else if (bucket.seen.size < MAX_ARG_VALUES) bucket.seen.set(key, { values, count: 1 });
    else bucket.truncated = true;
  }

  /** The collected data, ready to be posted to the main thread. */
  toRaw(processes: number, threads: number, pinned: boolean): RawTrace {
    const counts: [string, Arch, number, number, CountScope?][] = [];
    for (const exe of this.exes.values()) {
      const add = (arch: Arch, nr: number, n: number) =>
        counts.push(exe.scope === undefined ? [exe.path, arch, nr, n] : [exe.path, arch, nr, n, exe.scope]);
      exe.counts.forEach((n, k) => {
        if (n > 0) add(ARCHES[Math.floor(k / NR_SLOTS)]!, k % NR_SLOTS, n);
      });
      for (const [key, n] of exe.other) {
        const [a, nr] = key.split(':').map(Number) as [number, number];
        add(ARCHES[a]!, nr, n);
      }
    }
    // x32 numbers carry X32_SYSCALL_BIT everywhere outside the hot table.
    for (const c of counts) if (c[1] === 'x32' && c[2] >= 0 && c[2] < NR_SLOTS) c[2] |= X32_SYSCALL_BIT;
    const args: [Arch, string, Record<string, number>, number][] = [];
    const argsTruncated: [Arch, string][] = [];
    for (const b of this.args.values()) {
      for (const { values, count } of b.seen.values()) args.push([b.arch, b.name, values, count]);
      if (b.truncated) argsTruncated.push([b.arch, b.name]);
    }
    return {
      counts,
      args,
      argsTruncated,
      execs: [...this.execs],
      processes,
      threads,
      pinned,
    };
  }
}
