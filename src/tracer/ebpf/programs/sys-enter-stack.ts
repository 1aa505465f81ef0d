// The sys_enter program's stack frame (offsets from r10), shared by its two halves.
export const TGID = -4;
export const STATUS = -8;
/** The (ABI, nr) slot index, or NO_SLOT. */
export const SLOT = -12;
/** { image, nr, abi } */
export const COUNT_KEY = -24;
export const KEY_ABI = -16;
export const ONE = -32;
export const ZERO_KEY = -36;
export const SLOT_KEY = -40;
/** { abi, nr, v0, v1 } */
export const ARG_KEY = -64;
/** The procs value's flags (maps.ts PROC_SCOPED, PROC_CONTAINED, PROC_MARKING). */
export const FLAGS = -68;
/** The caller's task_struct.seccomp.filter (a scoped process outside the container). */
export const FILTER = -80;
/** The fastCounts index (maps.ts). */
export const FAST_KEY = -84;
/** The procCache index (tgid % PROC_CACHE_SLOTS), and procGen[0] as read before procs. */
export const CACHE_KEY = -88;
export const GEN = -96;
/** No slot: a number outside 0..NR_SLOTS-1. */
export const NO_SLOT = 0xffffffff;
