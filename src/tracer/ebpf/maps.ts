// The recorder's maps: their sizes, and the layout of every key and value, shared by the
// programs that fill them (programs/*.ts) and the reader that empties them (read.ts).
import { close } from '../libc.js';
import { MAP_TYPE, mapCreate } from './bpf.js';

/** ABI index in keys: the position in ARCHES (src/arch), as in the ptrace counters. */
export const ABI_X86_64 = 0;
export const ABI_I386 = 1;
export const ABI_X32 = 2;
/** Per-ABI slots of numbers 0..1023 (x32 numbers without X32_SYSCALL_BIT). */
export const NR_SLOTS = 1024;

/** Image 0: the launcher before its exec; its own syscalls are not the workload's. */
export const LAUNCHER_IMAGE = 0;
/** Executables past MAX_IMAGES distinct ones: counted, but without a path. */
export const UNKNOWN_IMAGE = 0x7fffffff;
/** Ids from here on are handed out by user space, for processes followed after their exec. */
export const USER_IMAGE_BASE = 0x80000000;

/** Processes (thread groups) alive at once. */
export const MAX_PROCS = 8192;
/** Distinct (executable, ABI, syscall) triples. Past it, calls still count per ABI (slots). */
export const MAX_COUNTS = 32768;
/** Distinct executables (by dentry and mount). */
export const MAX_IMAGES = 4096;
/** Distinct argument tuples over all syscalls (each is also capped at MAX_ARG_VALUES). */
export const MAX_ARG_TUPLES = 8192;

/** procs: tgid (u32) → { image u32, flags u32 }. */
export const PROC_VALUE = 8;
/**
 * procCache[tgid % PROC_CACHE_SLOTS], per CPU: { tgid u32, image u32, flags u32, pad u32, gen u64 },
 * a copy of a procs entry that sys_enter made while procGen[0] was `gen`. A hash lookup costs ≈ 70 ns
 * per syscall here, an array one ≈ 5; every change to procs a cached copy could miss (an exec, the
 * end of a process, user space) adds 1 to procGen[0] after it, which makes every copy stale.
 */
export const PROC_CACHE_SLOTS = 1024;
export const PROC_CACHE_VALUE = 24;
export const CACHE_TGID = 0;
export const CACHE_IMAGE = 4;
export const CACHE_FLAGS = 8;
export const CACHE_GEN = 16;
/** flags: the process is recorded with scopes (a container run): its children inherit it. */
export const PROC_SCOPED = 1;
/** flags: exec'd under another root than the workload's start, or a child of such a process. */
export const PROC_CONTAINED = 2;
/** flags: calls made outside the container under another seccomp filter than the launcher's are marked. */
export const PROC_MARKING = 4;
/** In a counts key's abi word, above the ABI index: the call's scope (a container run). */
export const SCOPE_SHIFT = 8;
export const SCOPE_CONTAINED = 1;
export const SCOPE_MARKED = 2;
/** counts: { image u32, nr u32, abi u32 } → u64 calls. */
export const COUNT_KEY = 12;
/**
 * fastCounts[image * SLOTS_PER_IMAGE + abi * NR_SLOTS + nr]: u64 calls, for images below
 * FAST_IMAGES, unscoped calls and numbers with a slot; every other call goes to `counts`. A hash
 * lookup costs ≈ 70 ns per call here, an array one ≈ 5 (BPF stats, 1M getppid), and each syscall of
 * a followed process made one to count itself. User space reads the array through mmap.
 */
export const FAST_IMAGES = 32;
export const SLOTS_PER_IMAGE = 3 * NR_SLOTS;
/** images: { dentry u64, vfsmount u64 } → { id u32, pad u32, execs u64 }. */
export const IMAGE_KEY = 16;
export const IMAGE_VALUE = 16;
/**
 * paths: image id (u32) → { start u32, flags u32, buf u8[PATH_ROOM] }: the path is
 * buf[start..PATH_BUF), written from the end backwards; PATH_ROOM leaves the verifier room for one
 * more component of up to 255 bytes past any start it cannot bound tighter.
 */
export const PATH_BUF = 1024;
export const PATH_ROOM = PATH_BUF + 256;
export const PATH_VALUE = 8 + PATH_ROOM;
export const PATH_TRUNCATED = 1;
/** args: { abi u32, nr u32, v0 u64, v1 u64 } → u64 calls. */
export const ARG_KEY = 24;
/**
 * slots[abi * NR_SLOTS + nr]: { overflow u64, seen u32, argn u32, spec u32, pad u32 }. `spec`,
 * written by user space before anything runs, says which arguments to keep (arg-table.ts).
 */
export const SLOT_VALUE = 24;
export const SLOT_OVERFLOW = 0;
export const SLOT_SEEN = 8;
export const SLOT_ARGN = 12;
export const SLOT_SPEC = 16;

/**
 * signals[0]: { root u32, pad u32, at u64[4] }. User space writes the workload's main process
 * (root); the signal program stores when that process was last delivered SIGHUP, SIGINT, SIGQUIT,
 * SIGTERM (bpf_ktime_get_ns, CLOCK_MONOTONIC; 0 = never), in that order.
 */
export const SIGNALS_VALUE = 40;
export const SIGNAL_ROOT = 0;
export const SIGNAL_AT = 8;
/** The stop signals, in the order of their SIGNAL_AT slots (as STOP_SIGNALS in protocol.ts). */
export const SIGNAL_NUMBERS = [1, 2, 3, 15] as const;

/** stats[0]: u64 counters, at these byte offsets. */
export const STAT = {
  processes: 0,
  threads: 8,
  nextImage: 16,
  launcherExecve: 24,
  launcherExecveat: 32,
  lostProcs: 40,
  overflowCalls: 48,
  otherOverflow: 56,
  unknownImageExecs: 64,
  distinct: 72,
  truncatedPaths: 80,
  /**
   * Set by the exec program at the launcher's exec, for scoped processes: the root dentry and the
   * seccomp filter the workload starts with (pointers, compared, never followed).
   */
  hostRoot: 88,
  hostFilter: 96,
} as const;
export const STATS_VALUE = 128;

export interface Maps {
  readonly procs: number;
  readonly procCache: number;
  readonly procGen: number;
  readonly counts: number;
  readonly fastCounts: number;
  /** How many images fastCounts has room for (FAST_IMAGES, or a test's limit). */
  readonly fastImages: number;
  readonly images: number;
  readonly paths: number;
  readonly args: number;
  readonly slots: number;
  readonly stats: number;
  readonly signals: number;
  /** Per-CPU scratch where the exec program builds a path before storing it. */
  readonly scratch: number;
}

const NO_PREALLOC = 1;
/** BPF_F_MMAPABLE: an array user space can map (collect.ts reads fastCounts so). */
const MMAPABLE = 1 << 10;

/**
 * Creates the maps (`limits.counts`: a smaller counts map, for tests of what happens when it is
 * full). Hash maps are not preallocated: creating a preallocated 32k-entry map took
 * ≈ 20 ms here, against ≈ 1 ms, and entries are only added on a fork, an exec or a new syscall.
 */
export function createMaps(limits: { readonly counts?: number; readonly fastImages?: number } = {}): Maps {
  const fastImages = limits.fastImages ?? FAST_IMAGES;
  const made: number[] = [];
  const make = (spec: Parameters<typeof mapCreate>[0]): number => {
    const fd = mapCreate(spec);
    made.push(fd);
    return fd;
  };
  try {
    return {
      procs: make({
        type: MAP_TYPE.HASH,
        keySize: 4,
        valueSize: PROC_VALUE,
        maxEntries: MAX_PROCS,
        flags: NO_PREALLOC,
        name: 'sp_procs',
      }),
      procCache: make({
        type: MAP_TYPE.PERCPU_ARRAY,
        keySize: 4,
        valueSize: PROC_CACHE_VALUE,
        maxEntries: PROC_CACHE_SLOTS,
        name: 'sp_proc_cache',
      }),
      procGen: make({ type: MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'sp_proc_gen' }),
      counts: make({
        type: MAP_TYPE.HASH,
        keySize: COUNT_KEY,
        valueSize: 8,
        maxEntries: limits.counts ?? MAX_COUNTS,
        flags: NO_PREALLOC,
        name: 'sp_counts',
      }),
      fastCounts: make({
        type: MAP_TYPE.ARRAY,
        keySize: 4,
        valueSize: 8,
        maxEntries: fastImages * SLOTS_PER_IMAGE,
        flags: MMAPABLE,
        name: 'sp_fast_counts',
      }),
      fastImages,
      images: make({
        type: MAP_TYPE.HASH,
        keySize: IMAGE_KEY,
        valueSize: IMAGE_VALUE,
        maxEntries: MAX_IMAGES,
        flags: NO_PREALLOC,
        name: 'sp_images',
      }),
      paths: make({
        type: MAP_TYPE.HASH,
        keySize: 4,
        valueSize: PATH_VALUE,
        maxEntries: MAX_IMAGES,
        flags: NO_PREALLOC,
        name: 'sp_paths',
      }),
      args: make({
        type: MAP_TYPE.HASH,
        keySize: ARG_KEY,
        valueSize: 8,
        maxEntries: MAX_ARG_TUPLES,
        flags: NO_PREALLOC,
        name: 'sp_args',
      }),
      slots: make({
        type: MAP_TYPE.ARRAY,
        keySize: 4,
        valueSize: SLOT_VALUE,
        maxEntries: 3 * NR_SLOTS,
        name: 'sp_slots',
      }),
      stats: make({
        type: MAP_TYPE.ARRAY,
        keySize: 4,
        valueSize: STATS_VALUE,
        maxEntries: 1,
        name: 'sp_stats',
      }),
      signals: make({
        type: MAP_TYPE.ARRAY,
        keySize: 4,
        valueSize: SIGNALS_VALUE,
        maxEntries: 1,
        name: 'sp_signals',
      }),
      scratch: make({
        type: MAP_TYPE.PERCPU_ARRAY,
        keySize: 4,
        valueSize: PATH_VALUE,
        maxEntries: 1,
        name: 'sp_scratch',
      }),
    };
  } catch (error) {
    for (const fd of made) close(fd);
    throw error;
  }
}

export function closeMaps(maps: Maps): void {
  for (const [name, fd] of Object.entries(maps)) if (name !== 'fastImages') close(fd);
}
