// Pinning the tracer thread and the tracees to one CPU. Every ptrace stop is a round trip between
// tracee and tracer; on one CPU it is a direct context switch, across CPUs it is an IPI plus a
// wake-up (docs/recording.md has the numbers). A multi-threaded workload would be serialised, so
// the loop unpins everything as soon as a process gets a second thread or sets its own affinity.
// While pinned, the loop makes sched_getaffinity report the original CPU set (see loop.ts), so
// programs that size thread pools by CPU count behave, and call, as they would untraced.
import { schedGetaffinity, schedGetcpu, schedSetaffinity } from './libc.js';

const MASK_BYTES = 128;

/** The pinning state of one trace. */
export interface Affinity {
  readonly pinned: boolean;
  /** The CPU set everything had before pinning (a cpu_set_t, MASK_BYTES long). */
  readonly original: Uint8Array;
  /** Restores the original CPU set for the tracer thread and the given tids; stays unpinned. */
  unpin(tids: Iterable<number>): void;
  /** After unpinning: gives a new tid the original CPU set if it still has the pinned one. */
  release(tid: number): void;
}

/** Pins the calling thread and `pid` to the CPU we run on; undefined if that is impossible. */
export function pinnedAffinity(pid: number): Affinity | undefined {
  const original = new Uint8Array(MASK_BYTES);
  if (schedGetaffinity(0, MASK_BYTES, original) !== 0) return undefined;
  const cpu = schedGetcpu();
  if (cpu < 0 || cpu >= MASK_BYTES * 8) return undefined;
  const one = new Uint8Array(MASK_BYTES);
  one[cpu >> 3] = 1 << (cpu & 7);
  if (schedSetaffinity(0, MASK_BYTES, one) !== 0) return undefined;
  if (schedSetaffinity(pid, MASK_BYTES, one) !== 0) {
    schedSetaffinity(0, MASK_BYTES, original);
    return undefined;
  }
  let pinned = true;
  const current = new Uint8Array(MASK_BYTES);
  return {
    get pinned() {
      return pinned;
    },
    original,
    unpin(tids) {
      if (!pinned) return;
      pinned = false;
      schedSetaffinity(0, MASK_BYTES, original);
      for (const tid of tids) schedSetaffinity(tid, MASK_BYTES, original);
    },
    release(tid) {
      // A child forked while we unpinned its parent may have copied the one-CPU set; a set the
      // workload chose itself is left alone.
      if (schedGetaffinity(tid, MASK_BYTES, current) === 0 && current.every((b, i) => b === one[i])) {
        schedSetaffinity(tid, MASK_BYTES, original);
      }
    },
  };
}
