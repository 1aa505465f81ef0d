// Pinning the tracer thread and the tracees to one CPU. Every ptrace stop is a round trip between
// tracee and tracer; on one CPU it is a direct context switch, across CPUs it is an IPI plus a
// wake-up (docs/recording.md has the numbers). A multi-threaded workload would be serialised, so
// the loop unpins everything as soon as a process gets a second thread.
import { schedGetaffinity, schedGetcpu, schedSetaffinity } from './libc.js';

const MASK_BYTES = 128;

/** The pinning state of one trace. */
export interface Affinity {
  readonly pinned: boolean;
  /** Restores the original CPU set for the tracer thread and the given tids; stays unpinned. */
  unpin(tids: Iterable<number>): void;
  /** Restores the original CPU set of one (new) tid. */
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
  return {
    get pinned() {
      return pinned;
    },
    unpin(tids) {
      if (!pinned) return;
      pinned = false;
      schedSetaffinity(0, MASK_BYTES, original);
      for (const tid of tids) schedSetaffinity(tid, MASK_BYTES, original);
    },
    release(tid) {
      schedSetaffinity(tid, MASK_BYTES, original);
    },
  };
}
