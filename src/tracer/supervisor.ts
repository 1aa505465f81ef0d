// The caller's side of a running trace (main thread, whichever thread traces): it ends what the
// workload's main process leaves behind once a grace period is over, passes stop signals on to the
// workload, and kills everything on a second one, an AbortSignal, or a grace period that runs out.
// It acts through the shared words of protocol.ts and by SIGKILLing the published tids, which also
// wakes a tracer blocked in waitpid. Both record backends use it: the ptrace tracer publishes those
// words from its loop, the eBPF recorder from src/tracer/ebpf/run.ts.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ProfilerError } from '../errors.js';
import type { Interrupts, StopSignal } from './interrupts.js';
import {
  ABORT_END,
  ABORT_KILL,
  SHARED_ABORT,
  SHARED_CAPACITY,
  SHARED_ROOT,
  SHARED_ROOT_EXIT,
  SHARED_SIGNAL_AT,
  SHARED_SLOTS,
  SHARED_STATE,
  STATE_LAUNCHING,
  STATE_ROOT_GONE,
  STATE_RUNNING,
  STOP_SIGNALS,
} from './protocol.js';

/**
 * How long after a stop signal reached us we decide whether the workload got its own copy: a
 * terminal's Ctrl-C (or `kill -INT -PGID`) signals the whole foreground group, profiler and workload
 * alike, and the tracer must have seen the workload's delivery by then.
 */
const RELAY_DELAY_MS = 50;
/** A delivery to the workload this long before ours still counts as the same signal. */
const SAME_SIGNAL_MS = 1000;

/** Atomics.waitAsync (V8 8.7, Node ≥ 16), which our TypeScript lib (ES2022) does not declare yet. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      view: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync.bind(Atomics);

/** True when `sig` is pending for process `pid` (shared or its main thread's own). */
function pending(pid: number, sig: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const bit = 1n << BigInt(sig - 1);
    return ['ShdPnd', 'SigPnd'].some((field) => {
      const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status);
      return m !== null && (BigInt(`0x${m[1]}`) & bit) !== 0n;
    });
  } catch {
    return false;
  }
}

/** The grace period's default, in seconds (TraceOptions.grace). */
export const DEFAULT_GRACE_SECONDS = 2;

/** TraceOptions.grace (seconds, default DEFAULT_GRACE_SECONDS) in milliseconds, checked. */
export function graceMilliseconds(grace: number | undefined): number {
  const seconds = grace ?? DEFAULT_GRACE_SECONDS;
  if (Number.isNaN(seconds) || seconds < 0) {
    throw new ProfilerError(
      'USAGE',
      `Expected the grace period to be a number of seconds ≥ 0, got ${seconds}`,
    );
  }
  return seconds * 1000;
}

export interface SupervisorOptions {
  /** Infinity: what the main process leaves runs until it ends. */
  readonly graceMs: number;
  readonly epochMs: number;
  readonly interrupts?: Interrupts;
  readonly signal?: AbortSignal;
  /** Called with the main process's exit code (128+N for signal N) once it is gone. */
  readonly onRootExit?: (code: number) => void;
  /**
   * Called with ABORT_KILL or ABORT_END after the request is published: for a recorder that no
   * SIGKILL to a published tid wakes (the eBPF recorder publishes none, and kills by itself).
   */
  readonly onRequest?: (what: number) => void;
  /**
   * Called before the root's state and stop-signal times (SHARED_STATE, SHARED_SIGNAL_AT) are read,
   * for a recorder that publishes them on demand (the eBPF recorder reads them from its maps).
   */
  readonly refresh?: () => void;
}

export class Supervisor {
  /** The first stop signal, passed on to the workload (or it got its own). */
  interruptedBy: StopSignal | undefined;
  private count = 0;
  private stopped = false;
  private deadline = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly relays = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private readonly onAbort = () => this.kill();

  constructor(
    private readonly view: Int32Array,
    private readonly options: SupervisorOptions,
  ) {}

  start(): void {
    const { interrupts, signal } = this.options;
    if (signal?.aborted) this.kill();
    signal?.addEventListener('abort', this.onAbort);
    // A stop signal that came before there was a workload to pass it to ends the run at once.
    if (interrupts?.received.length) {
      this.interruptedBy = interrupts.received[0];
      this.kill();
    }
    if (interrupts) this.unsubscribe = interrupts.subscribe((sig) => this.onSignal(sig));
    void this.watchRoot();
  }

  /** The trace is over: no timer, listener or wait outlives it. */
  stop(): void {
    this.stopped = true;
    Atomics.notify(this.view, SHARED_STATE); // releases watchRoot's wait
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.relays) clearTimeout(t);
    this.unsubscribe?.();
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private rootGone(): boolean {
    return Atomics.load(this.view, SHARED_STATE) === STATE_ROOT_GONE;
  }

  /** Once the main process is gone, what it left gets the grace period. */
  private async watchRoot(): Promise<void> {
    for (;;) {
      const state = Atomics.load(this.view, SHARED_STATE);
      if (this.stopped) return;
      if (state === STATE_ROOT_GONE) break;
      const wait = waitAsync(this.view, SHARED_STATE, state);
      if (wait.async) await wait.value;
    }
    const st = Atomics.load(this.view, SHARED_ROOT_EXIT) - 1;
    if (st >= 0) this.options.onRootExit?.((st & 0x7f) === 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f));
    this.arm(this.options.graceMs);
  }

  /** Ends everything no later than `ms` from now. */
  private arm(ms: number): void {
    const at = Date.now() + ms;
    if (!Number.isFinite(ms) || at >= this.deadline || this.stopped) return;
    this.deadline = at;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.rootGone() ? this.end() : this.kill()), ms);
  }

  private onSignal(sig: StopSignal): void {
    if (this.stopped) return;
    this.options.refresh?.();
    if (this.options.interrupts?.passOnly.includes(sig)) {
      if (Atomics.load(this.view, SHARED_STATE) === STATE_RUNNING) this.relayLater(sig);
      return;
    }
    this.count++;
    const state = Atomics.load(this.view, SHARED_STATE);
    if (this.count > 1 || state === STATE_LAUNCHING) {
      this.interruptedBy ??= sig;
      if (state === STATE_ROOT_GONE) this.end();
      else this.kill();
      return;
    }
    this.interruptedBy = sig;
    this.arm(this.options.graceMs);
    if (state !== STATE_ROOT_GONE) this.relayLater(sig);
  }

  private relayLater(sig: StopSignal): void {
    const receivedAt = Date.now() - this.options.epochMs;
    const t = setTimeout(() => {
      this.relays.delete(t);
      this.relay(sig, receivedAt);
    }, RELAY_DELAY_MS);
    this.relays.add(t);
  }

  /** Sends `sig` to the main process, unless it got its own copy (it was sent to the whole group). */
  private relay(sig: StopSignal, receivedAt: number): void {
    if (this.stopped || this.rootGone()) return;
    const root = Atomics.load(this.view, SHARED_ROOT);
    const number = constants.signals[sig];
    this.options.refresh?.();
    const at = Atomics.load(this.view, SHARED_SIGNAL_AT + STOP_SIGNALS.indexOf(number as 1 | 2 | 3 | 15));
    if (at !== 0 && at >= receivedAt - SAME_SIGNAL_MS) return;
    if (pending(root, number)) return;
    try {
      process.kill(root, sig);
    } catch {}
  }

  /** Kills every tracee; the main process too, so the run is interrupted. */
  private kill(): void {
    this.request(ABORT_KILL);
  }

  /** Kills what the gone main process left behind; its own outcome stands. */
  private end(): void {
    this.request(ABORT_END);
  }

  private request(what: number): void {
    Atomics.store(this.view, SHARED_ABORT, Math.max(what, Atomics.load(this.view, SHARED_ABORT)));
    for (let i = SHARED_SLOTS; i < SHARED_CAPACITY; i++) {
      const tid = Atomics.load(this.view, i);
      if (tid > 0) {
        try {
          process.kill(tid, 'SIGKILL');
        } catch {}
      }
    }
    this.options.onRequest?.(what);
  }
}
