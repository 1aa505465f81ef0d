// The eBPF recorder's side of a supervised run (src/tracer/supervisor.ts, shared with the ptrace
// tracer): it publishes what the ptrace loop publishes in the same shared words (the main process,
// its state, its wait status, when it was delivered a stop signal) and acts on the supervisor's
// requests by killing the followed processes itself. Those still running then are reported as
// ended, as the ptrace tracer reports them.
import { kill, waitpid } from '../libc.js';
import { readExe } from '../proc.js';
import {
  ABORT_KILL,
  type EndedProcess,
  SHARED_CAPACITY,
  SHARED_ROOT,
  SHARED_ROOT_EXIT,
  SHARED_SIGNAL_AT,
  SHARED_STATE,
  STATE_LAUNCHING,
  STATE_ROOT_GONE,
  STATE_RUNNING,
} from '../protocol.js';
import { LAUNCHER_IMAGE } from './maps.js';
import { type EbpfRecorder, processExists } from './recorder.js';

const WNOHANG = 1;
const SIGKILL = 9;
/** A safety net under SIGCHLD, which is the mechanism. */
const ROOT_POLL_MS = 50;
/** How often the process tree is looked at once the main process is gone. */
const TREE_POLL_MS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EbpfRun {
  /** The words the supervisor reads and writes (protocol.ts's layout; no tid slots are used). */
  readonly view = new Int32Array(new SharedArrayBuffer(SHARED_CAPACITY * 4));
  /** The main process was killed by us: the run is `interrupted`. */
  aborted = false;
  readonly ended: EndedProcess[] = [];
  private root = 0;
  private rootGone = false;
  /** Every followed process is being killed (and killed again on each look: a fork may be in flight). */
  private killing = false;

  constructor(
    private readonly recorder: EbpfRecorder,
    private readonly epochMs: number,
  ) {}

  /** Follows the launcher `pid` from before its exec, and watches the stop signals it is delivered. */
  launched(pid: number, scopes?: { readonly mark: boolean }): void {
    this.recorder.follow(pid, 'launcher', scopes);
    this.recorder.watchSignals(pid);
    this.root = pid;
    Atomics.store(this.view, SHARED_ROOT, pid);
  }

  /** Resolves with the main process's wait status once it has exited, published for the supervisor. */
  async waitRoot(): Promise<number> {
    const status = new Int32Array(1);
    await new Promise<void>((resolve) => {
      const check = () => {
        if (waitpid(this.root, status, WNOHANG) !== this.root) return;
        process.off('SIGCHLD', check);
        clearInterval(timer);
        resolve();
      };
      process.on('SIGCHLD', check);
      const timer = setInterval(check, ROOT_POLL_MS);
      check();
    });
    const st = status[0]!;
    this.rootGone = true;
    Atomics.store(this.view, SHARED_ROOT_EXIT, st + 1);
    Atomics.store(this.view, SHARED_STATE, STATE_ROOT_GONE);
    Atomics.notify(this.view, SHARED_STATE);
    return st;
  }

  /** Resolves once no followed process is left: on their own, or ended by a request. */
  async waitTree(): Promise<void> {
    while (this.recorder.alive()) {
      if (this.killing) this.killFollowed();
      await sleep(TREE_POLL_MS);
    }
  }

  /** The supervisor's request (ABORT_KILL, ABORT_END): as the ptrace tracer's Ending.poll(). */
  request(what: number): void {
    if (what === ABORT_KILL && !this.rootGone) this.aborted = true;
    this.killing = true;
    this.killFollowed();
  }

  /**
   * Publishes what the supervisor is about to read: STATE_RUNNING once the launcher has exec'd the
   * workload (the exec program gave it its image), and when the main process was delivered each
   * stop signal, into SHARED_SIGNAL_AT (ms since epochMs).
   */
  refresh(): void {
    if (Atomics.load(this.view, SHARED_STATE) === STATE_LAUNCHING) {
      const image = this.recorder.imageOf(this.root);
      if (image !== undefined && image !== LAUNCHER_IMAGE)
        Atomics.store(this.view, SHARED_STATE, STATE_RUNNING);
    }
    const times = this.recorder.stopSignalTimes();
    const nowNs = process.hrtime.bigint();
    const nowMs = Date.now() - this.epochMs;
    times.forEach((ns, i) => {
      if (ns === 0n) return;
      const at = nowMs - Number((nowNs - ns) / 1_000_000n);
      Atomics.store(this.view, SHARED_SIGNAL_AT + i, Math.max(at, 1));
    });
  }

  private killFollowed(): void {
    for (const pid of this.recorder.followed()) {
      if (pid !== this.root && processExists(pid) && !this.ended.some((p) => p.pid === pid)) {
        this.ended.push({ pid, executable: readExe(pid) });
      }
      kill(pid, SIGKILL);
    }
  }
}
