// Who is being traced: thread groups (Proc) and threads (Tracee), the slots that publish live tids
// to the other thread (so an abort can kill them), and the counts of processes and threads.
// A child's first stop can come before its parent's fork event (DESIGN fact 11), and an exec from a
// non-leader thread moves that thread onto the thread-group id (fact 12): both are handled here.
import type { ExeCounters } from './counters.js';
import { kill } from './libc.js';
import { readTgid } from './proc.js';
import type { FilterEvent } from './protocol.js';
import { SHARED_CAPACITY, SHARED_PROCESSES, SHARED_SLOTS } from './protocol.js';

const SIGKILL = 9;

/** A thread group. */
export interface Proc {
  readonly tgid: number;
  exe: ExeCounters;
  /** Still the launcher: its syscalls are not part of the recording. */
  launcher: boolean;
  /** Set once the filter killed this process (or its unhandled trap SIGSYS did). */
  filterEvent?: FilterEvent;
}

/** A traced thread. */
export interface Tracee {
  readonly tid: number;
  proc: Proc;
  slot: number;
  /** A trap-action SIGSYS was delivered to this thread. */
  trapped?: FilterEvent;
  /** Its creator's fork/vfork/clone event was seen (a child's first stop may come earlier). */
  announced: boolean;
  /** Buffer address of a sched_getaffinity in flight whose result we rewrite at syscall exit. */
  affinityBuf?: number;
}

/** What the bookkeeping tells the rest of the loop. */
export interface TraceeHooks {
  /** A process got a second thread. */
  onSecondThread(): void;
  /** A thread was registered (after onSecondThread, if that fired). */
  onRegistered(tid: number): void;
  /** An executable's counters, for a process first seen by its pid. */
  exeOf(pid: number): ExeCounters;
}

export class Tracees {
  private readonly byTid = new Map<number, Tracee>();
  private readonly procs = new Map<number, Proc>();
  /** Tids that came and went before their creator's event: that late event must not revive them. */
  private readonly goneEarly = new Set<number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = SHARED_SLOTS;
  processes = 0;
  threads = 0;
  /** Once set, every tracee (present and future) is killed. */
  private killing = false;

  constructor(
    private readonly shared: Int32Array,
    private readonly hooks: TraceeHooks,
  ) {}

  get(tid: number): Tracee | undefined {
    return this.byTid.get(tid);
  }

  tids(): IterableIterator<number> {
    return this.byTid.keys();
  }

  /** The launcher, seized before anything else: the root of the tree. */
  addRoot(pid: number, exe: ExeCounters): Proc {
    const root: Proc = { tgid: pid, exe, launcher: true };
    this.procs.set(pid, root);
    this.add(pid, root).announced = true;
    return root;
  }

  /** The launcher exec'd the workload: from here on its process counts. */
  startWorkload(proc: Proc): void {
    proc.launcher = false;
    this.processes++;
    this.threads++;
    Atomics.store(this.shared, SHARED_PROCESSES, this.processes);
  }

  /** Kills every tracee now and any that appears later. */
  killAll(): void {
    this.killing = true;
    for (const tid of this.byTid.keys()) kill(tid, SIGKILL);
  }

  /** A stop from a pid we have not seen: a new child whose first stop beat its parent's event. */
  adopt(pid: number): Tracee {
    const tgid = readTgid(pid) ?? pid;
    const owner = this.procs.get(tgid);
    return this.register(pid, tgid, owner?.exe ?? this.hooks.exeOf(pid));
  }

  /** A fork/vfork/clone event of `parent` announced `child`. */
  announce(parent: Tracee, child: number, isThread: boolean): void {
    const known = this.byTid.get(child);
    if (known) known.announced = true;
    else if (this.goneEarly.has(child)) this.goneEarly.delete(child);
    else if (child > 0) {
      const tgid = readTgid(child) ?? (isThread ? parent.proc.tgid : child);
      this.register(child, tgid, parent.proc.exe).announced = true;
    }
  }

  /** An exec reported under `pid` by thread `former`: a non-leader exec moves it onto the tgid. */
  execMoved(pid: number, former: number): Tracee | undefined {
    let t = this.byTid.get(pid);
    if (former !== pid) {
      const old = this.byTid.get(former);
      if (old) {
        this.remove(old);
        if (!t) {
          t = this.add(pid, old.proc);
          t.announced = true;
        }
      }
    }
    return t;
  }

  /** A tracee is gone (exited or killed). */
  remove(t: Tracee): void {
    this.byTid.delete(t.tid);
    if (!t.announced) this.goneEarly.add(t.tid);
    if (t.slot >= 0) {
      Atomics.store(this.shared, t.slot, 0);
      this.freeSlots.push(t.slot);
    }
  }

  private register(tid: number, tgid: number, exe: ExeCounters): Tracee {
    let proc = this.procs.get(tgid);
    if (!proc) {
      proc = { tgid, exe, launcher: false };
      this.procs.set(tgid, proc);
      this.processes++;
      Atomics.store(this.shared, SHARED_PROCESSES, this.processes);
    } else if (!proc.launcher) {
      this.hooks.onSecondThread();
    }
    if (!proc.launcher) this.threads++;
    this.hooks.onRegistered(tid);
    return this.add(tid, proc);
  }

  private add(tid: number, proc: Proc): Tracee {
    let slot = this.freeSlots.pop() ?? -1;
    if (slot < 0 && this.nextSlot < SHARED_CAPACITY) slot = this.nextSlot++;
    if (slot >= 0) Atomics.store(this.shared, slot, tid);
    const t: Tracee = { tid, proc, slot, announced: false };
    this.byTid.set(tid, t);
    if (this.killing) kill(tid, SIGKILL);
    return t;
  }
}
