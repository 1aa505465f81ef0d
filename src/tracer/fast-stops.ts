// The loop's hot path in C (fast-stops.c, built next to this file when a compiler is present): one
// koffi call resumes the last tracee, waits, reads the next seccomp stop and, for the plain calls the
// loop has already handled, counts them natively and waits again. At ≈ 0.6 µs per koffi call (perf,
// 200k getppid), the three calls a stop costs in JavaScript were a tenth of a recording's time.
//
// What the C side may count on its own is decided here, by the loop, and written into memory both
// sides share (no call needed):
//   allow(nr)          an x86-64 number with nothing but a count to record: already seen (so the
//                      distinct count stays right), no argument capture, no affinity handling;
//   remember(tid, exe) the counters of a thread that just made such a call as a plain workload
//                      process (not the launcher, no scopes, no errno mode);
//   forget()           after any other stop (fork, exec, exit, signal…): a thread's executable may
//                      have changed, so every thread goes through the loop again once.
// Every other stop comes back to the loop with the wait status and the syscall info where it reads
// them, so the two paths record exactly the same (test/tracer/fast-stops.e2e.test.ts).
import { PTRACE_CONT } from './constants.js';
import { koffi } from './ffi.js';
import { nativeBuffer, ptraceInt, waitpidAt } from './libc.js';
import type { StopBuffers } from './stop-buffers.js';

/** Where the loop gets its stops: the native path, or waitpid and ptrace through koffi. */
export interface StopSource {
  /** waitpid(-1, status, options): a pid to handle, 0 (WNOHANG), -1 (errno), or FAST_BATCH_DONE. */
  next(options: number): number;
  /** PTRACE_CONT after a seccomp stop (the native path makes it in its next call). */
  resume(pid: number): void;
  /** Any stop other than a seccomp one came: no thread may be counted natively until seen again. */
  forget(): void;
}

/** The JavaScript path: three koffi calls per stop. */
export class JsStops implements StopSource {
  constructor(private readonly bufs: StopBuffers) {}
  next(options: number): number {
    return waitpidAt(-1, this.bufs.statusAt, options);
  }
  resume(pid: number): void {
    ptraceInt(PTRACE_CONT, pid, 0, 0);
  }
  forget(): void {}
}

/** fast_stops_pump's return when its batch ran out with nothing to hand back. */
export const FAST_BATCH_DONE = -2;
const ABI_VERSION = 1;
/** Stops counted natively per call: the loop checks for an abort between batches. */
const BATCH = 4096;
const NR_SLOTS = 1024;
const CACHE_SLOTS = 64;
// struct fast_ctx (fast-stops.c).
const STATUS_PTR = 0;
const INFO_PTR = 8;
const INFO_RESULT = 16;
const INFO_ERRNO = 20;
const BUDGET = 24;
const HANDLED = 32;
const FAST_NR = 40;
const CACHE = FAST_NR + NR_SLOTS;
const CTX_SIZE = CACHE + CACHE_SLOTS * 16;

interface Library {
  readonly pump: (ctx: number, contPid: number, options: number) => number;
  readonly address: (buffer: Float64Array) => number | bigint;
}

let loaded: Library | undefined;

function load(path: string): Library | undefined {
  if (loaded) return loaded;
  try {
    const lib = koffi.load(path);
    const version = lib.func('int fast_stops_version(void)') as () => number;
    const size = lib.func('int fast_stops_ctx_size(void)') as () => number;
    // A library from another build (or a compiler laying the struct out otherwise) is not used.
    if (version() !== ABI_VERSION || size() !== CTX_SIZE) return undefined;
    loaded = {
      pump: lib.func('long fast_stops_pump(uintptr_t ctx, int cont_pid, int options)') as Library['pump'],
      address: lib.func('uint64_t fast_stops_address(void *p)') as Library['address'],
    };
    return loaded;
  } catch {
    return undefined;
  }
}

export class FastStops implements StopSource {
  private readonly mem = nativeBuffer(CTX_SIZE);
  private readonly i32 = new Int32Array(this.mem.bytes.buffer, this.mem.bytes.byteOffset, CTX_SIZE / 4);
  private readonly u64 = new BigUint64Array(this.mem.bytes.buffer, this.mem.bytes.byteOffset, CTX_SIZE / 8);
  private readonly f64 = new Float64Array(this.mem.bytes.buffer, this.mem.bytes.byteOffset, CTX_SIZE / 8);
  private readonly fastNr = this.mem.bytes.subarray(FAST_NR, FAST_NR + NR_SLOTS);
  /** Each counter array's address, asked of the library once. */
  private readonly addresses = new WeakMap<Float64Array, bigint>();
  private cached = false;
  private pending = 0;

  private constructor(
    private readonly lib: Library,
    bufs: StopBuffers,
  ) {
    this.u64[STATUS_PTR / 8] = BigInt(bufs.statusAt);
    this.u64[INFO_PTR / 8] = BigInt(bufs.infoAt);
    this.i32[BUDGET / 4] = BATCH;
  }

  /** The native path, or undefined when `path` is undefined or its library is unusable. */
  static open(path: string | undefined, bufs: StopBuffers): FastStops | undefined {
    const lib = path === undefined ? undefined : load(path);
    return lib && new FastStops(lib, bufs);
  }

  /** PTRACE_CONT of the pending seccomp stop, then waitpid, counting the stops it may. */
  next(options: number): number {
    const resume = this.pending;
    this.pending = 0;
    return this.lib.pump(this.mem.address, resume, options);
  }

  resume(pid: number): void {
    this.pending = pid;
  }

  /** For the seccomp stop just returned: PTRACE_GET_SYSCALL_INFO's result, and its errno. */
  get infoResult(): number {
    return this.i32[INFO_RESULT / 4]!;
  }
  get infoErrno(): number {
    return this.i32[INFO_ERRNO / 4]!;
  }

  /** Stops counted natively so far. */
  get handled(): number {
    return this.f64[HANDLED / 8]!;
  }

  allow(nr: number): void {
    this.fastNr[nr] = 1;
  }

  /** `row`: the x86-64 row of the thread's counters (x86-64 is row 0, so the whole array will do). */
  remember(tid: number, row: Float64Array): void {
    let at = this.addresses.get(row);
    if (at === undefined) {
      at = BigInt(this.lib.address(row));
      this.addresses.set(row, at);
    }
    const slot = tid & (CACHE_SLOTS - 1);
    this.i32[CACHE / 4 + slot * 4] = tid;
    this.u64[CACHE / 8 + slot * 2 + 1] = at;
    this.cached = true;
  }

  forget(): void {
    if (!this.cached) return;
    this.cached = false;
    for (let slot = 0; slot < CACHE_SLOTS; slot++) this.i32[CACHE / 4 + slot * 4] = 0;
  }
}
