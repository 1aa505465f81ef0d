// How a trace ends besides every tracee exiting on its own: the caller's thread asks through the
// shared SHARED_ABORT word (ABORT_KILL: kill everything, the run is interrupted; ABORT_END: kill what
// the main process left behind once its grace period is over). The tracees killed that way are
// reported as ended. The loop also publishes here what that thread decides on: the root's state and
// when the root got a stop signal (src/tracer/supervisor.ts reads both).
import {
  ABORT_KILL,
  type EndedProcess,
  SHARED_ABORT,
  SHARED_ROOT_EXIT,
  SHARED_SIGNAL_AT,
  SHARED_STATE,
  STATE_ROOT_GONE,
  STATE_RUNNING,
  STOP_SIGNALS,
} from './protocol.js';
import type { Tracee, Tracees } from './tracees.js';

const SIGKILL = 9;

export class Ending {
  private seen = 0;
  /** The main process was killed by us: the run is `interrupted`. */
  aborted = false;
  /** Every tracee is being killed; those that die of it are reported in `ended`. */
  private killing = false;
  readonly ended: EndedProcess[] = [];

  constructor(
    private readonly shared: Int32Array,
    private readonly tracees: Tracees,
    private readonly epochMs: number,
  ) {}

  /** Acts on a new request from the caller's thread; cheap when there is none. */
  poll(rootGone: boolean): void {
    const request = this.shared[SHARED_ABORT]!;
    if (request <= this.seen) return;
    this.seen = request;
    this.killAll(request !== ABORT_KILL || rootGone);
  }

  /**
   * Kills every tracee. `leftoversOnly`: the main process is gone, its own outcome stands; otherwise
   * the main process dies too and the run is interrupted.
   */
  killAll(leftoversOnly: boolean): void {
    if (!leftoversOnly) this.aborted = true;
    this.killing = true;
    this.tracees.killAll();
  }

  /** The workload exec'd: the caller's thread may now pass signals on to it. */
  running(): void {
    Atomics.store(this.shared, SHARED_STATE, STATE_RUNNING);
  }

  /** The main process is gone (wait status `st`): wakes the caller's thread, which starts the grace period. */
  rootGone(st: number): void {
    Atomics.store(this.shared, SHARED_ROOT_EXIT, st + 1);
    Atomics.store(this.shared, SHARED_STATE, STATE_ROOT_GONE);
    Atomics.notify(this.shared, SHARED_STATE);
  }

  /** A process (not the root) is gone with wait status `st`: ended by us, if we were killing. */
  onGone(t: Tracee | undefined, pid: number, st: number): void {
    if (this.killing && t?.proc.tgid === pid && (st & 0x7f) === SIGKILL && !t.proc.launcher) {
      this.ended.push({ pid, executable: t.proc.exe.path });
    }
  }

  /** The main process got `sig` (a signal-delivery stop): the caller's thread must not send a copy. */
  rootSignal(sig: number): void {
    const i = STOP_SIGNALS.indexOf(sig as (typeof STOP_SIGNALS)[number]);
    if (i >= 0) Atomics.store(this.shared, SHARED_SIGNAL_AT + i, Date.now() - this.epochMs || 1);
  }
}
