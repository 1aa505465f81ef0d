// An eBPF recording session: maps and programs loaded, following a set of process trees. The
// library face of the backend: record.ts launches a workload with it, and a container runtime
// wrapper running as root can follow a runtime's pid with it (follow(pid, 'running')).
import { readFileSync, readlinkSync } from 'node:fs';
import { errnoNumber } from '../../arch/errno.js';
import { isProfilerError, ProfilerError } from '../../errors.js';
import { close, kill } from '../libc.js';
import { writeArgSpecs } from './arg-table.js';
import { BpfError, mapDelete, mapLookup, mapNextKey, mapUpdate } from './bpf.js';
import { VerifierError } from './bpf-prog.js';
import { type Collected, collect, readStats } from './collect.js';
import { kernelLayout, LayoutError } from './layout.js';
import {
  closeMaps,
  createMaps,
  LAUNCHER_IMAGE,
  type Maps,
  PROC_MARKING,
  PROC_SCOPED,
  PROC_VALUE,
  SIGNAL_AT,
  SIGNAL_NUMBERS,
  SIGNAL_ROOT,
  SIGNALS_VALUE,
  USER_IMAGE_BASE,
} from './maps.js';
import { allocNative } from './native.js';
import { pidNamespaceProblem } from './pid-namespace.js';
import { loadPrograms } from './programs/load.js';

const EPERM = errnoNumber('EPERM')!;
const ENOSYS = errnoNumber('ENOSYS')!;

/** The user's one line (exit 69) for what the kernel refused; anything else is a bug, rethrown. */
function unavailable(error: unknown): ProfilerError {
  let reason: string;
  if (error instanceof VerifierError || error instanceof LayoutError) reason = error.message;
  else if (error instanceof BpfError && error.errno === EPERM) {
    const root = process.getuid?.() === 0;
    reason = `bpf() refused (EPERM): the eBPF backend needs root (CAP_BPF and CAP_PERFMON)${root ? ', and BPF allowed in this container or by this kernel lockdown' : ''}`;
  } else if (error instanceof BpfError && error.errno === ENOSYS)
    reason = 'this kernel has no bpf() system call';
  else if (error instanceof BpfError) reason = error.message;
  else throw error;
  return new ProfilerError('UNAVAILABLE', `eBPF backend unavailable: ${reason}`, { cause: error });
}

/** How a followed process starts: before the launcher's exec, or already running its executable. */
export type FollowPhase = 'launcher' | 'running';

export class EbpfRecorder {
  private readonly userImages = new Map<number, string>();
  private readonly userImageOf = new Map<string, number>();
  private extraProcesses = 0;
  private closed = false;

  private constructor(
    private readonly maps: Maps,
    private readonly fds: readonly number[],
    /** i386 calls cannot be told apart from x86_64 ones on this kernel. */
    readonly abiNote: string | undefined,
    /** Why container scopes cannot be recorded here (a field missing from the BTF), or undefined. */
    readonly scopesProblem: string | undefined,
  ) {}

  /**
   * open(), or the reason the kernel refused it (the one line open() would throw as UNAVAILABLE):
   * how `auto` tests whether eBPF can record here. Anything else is a bug, rethrown.
   */
  static openOrReason(): EbpfRecorder | string {
    try {
      return EbpfRecorder.open();
    } catch (error) {
      if (!isProfilerError(error) || error.code !== 'UNAVAILABLE') throw error;
      return error.message;
    }
  }

  /**
   * Loads the recorder into the kernel. Throws ProfilerError UNAVAILABLE (exit 69) with the reason
   * when it cannot: not root, no BTF, a verifier that refuses the programs, no bpf().
   */
  static open(): EbpfRecorder {
    let maps: Maps | undefined;
    try {
      // Maps first: creating one is the quickest way to learn that bpf() is refused (not root).
      maps = createMaps();
      const pidProblem = pidNamespaceProblem();
      if (pidProblem) throw new LayoutError(pidProblem);
      const layout = kernelLayout();
      writeArgSpecs(maps, layout);
      const fds = loadPrograms(maps, layout);
      const note =
        layout.taskStatus === undefined
          ? 'i386 (int 0x80) calls cannot be told apart from x86_64 calls on this kernel (no thread_info.status in its BTF): any are counted as x86_64'
          : undefined;
      const scopesProblem = layout.scopes
        ? undefined
        : "the kernel's BTF lacks task_struct.fs, fs_struct.root or task_struct.seccomp.filter";
      return new EbpfRecorder(maps, fds, note, scopesProblem);
    } catch (error) {
      if (maps) closeMaps(maps);
      throw unavailable(error);
    }
  }

  /**
   * Follows `pid` and every process it creates from now on. 'launcher': a process that will exec
   * the workload (its own syscalls before that exec are not recorded, its execve is). 'running': a
   * process already running its executable (read from /proc/PID/exe), counted from now on.
   * `scopes` (a launcher for a container run): its tree's calls are counted apart as 'contained'
   * once a process execs under another root, and with `mark` as 'marked' when made outside it
   * under another seccomp filter than the launcher's (TraceOptions.scopes; see scopesProblem).
   */
  follow(pid: number, phase: FollowPhase, scopes?: { readonly mark: boolean }): void {
    let image = LAUNCHER_IMAGE;
    if (phase === 'running') {
      let exe: string;
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
      } catch {
        throw new ProfilerError('NO_INPUT', `process ${pid} does not exist`);
      }
      image = this.userImageOf.get(exe) ?? USER_IMAGE_BASE + this.userImages.size;
      this.userImages.set(image, exe);
      this.userImageOf.set(exe, image);
      this.extraProcesses++;
    }
    const key = allocNative(4);
    const value = allocNative(PROC_VALUE);
    try {
      key.view.setUint32(0, pid, true);
      value.view.setUint32(0, image, true);
      value.view.setUint32(4, scopes ? PROC_SCOPED | (scopes.mark ? PROC_MARKING : 0) : 0, true);
      mapUpdate(this.maps.procs, key.address, value.address);
    } finally {
      key.free();
      value.free();
    }
    this.procsChanged();
  }

  /** procGen[0] += 1 after a change to procs from here (maps.ts: the copies in procCache go stale). */
  private procsChanged(): void {
    const key = allocNative(4);
    const value = allocNative(8);
    try {
      mapLookup(this.maps.procGen, key.address, value.address);
      value.view.setBigUint64(0, value.view.getBigUint64(0, true) + 1n, true);
      mapUpdate(this.maps.procGen, key.address, value.address);
    } finally {
      key.free();
      value.free();
    }
  }

  /** The image id `pid` runs (LAUNCHER_IMAGE until its exec), or undefined when it is not followed. */
  imageOf(pid: number): number | undefined {
    const key = allocNative(4);
    const value = allocNative(PROC_VALUE);
    try {
      key.view.setUint32(0, pid, true);
      return mapLookup(this.maps.procs, key.address, value.address)
        ? value.view.getUint32(0, true)
        : undefined;
    } finally {
      key.free();
      value.free();
    }
  }

  /** Notes when `pid` (the workload's main process) is delivered a stop signal (stopSignalTimes()). */
  watchSignals(pid: number): void {
    const key = allocNative(4);
    const value = allocNative(SIGNALS_VALUE);
    try {
      key.view.setUint32(0, 0, true);
      value.bytes.fill(0);
      value.view.setUint32(SIGNAL_ROOT, pid, true);
      mapUpdate(this.maps.signals, key.address, value.address);
    } finally {
      key.free();
      value.free();
    }
  }

  /**
   * When the watched process was last delivered SIGHUP, SIGINT, SIGQUIT and SIGTERM, in that order:
   * CLOCK_MONOTONIC nanoseconds (process.hrtime.bigint()'s clock), 0n for never.
   */
  stopSignalTimes(): bigint[] {
    const key = allocNative(4);
    const value = allocNative(SIGNALS_VALUE);
    try {
      key.view.setUint32(0, 0, true);
      if (!mapLookup(this.maps.signals, key.address, value.address)) return SIGNAL_NUMBERS.map(() => 0n);
      return SIGNAL_NUMBERS.map((_, i) => value.view.getBigUint64(SIGNAL_AT + 8 * i, true));
    } finally {
      key.free();
      value.free();
    }
  }

  /** Thread-group ids followed now. */
  followed(): number[] {
    const pids: number[] = [];
    const key = allocNative(4);
    const next = allocNative(4);
    try {
      let have = mapNextKey(this.maps.procs, 0, next.address);
      while (have) {
        const pid = next.view.getUint32(0, true);
        pids.push(pid);
        key.view.setUint32(0, pid, true);
        have = mapNextKey(this.maps.procs, key.address, next.address);
      }
    } finally {
      key.free();
      next.free();
    }
    return pids;
  }

  /**
   * True while any followed process is alive. A process that is gone (or a zombie) but still
   * followed, because its exit was missed, is forgotten here: a safety net, so a wait always ends.
   */
  alive(): boolean {
    let any = false;
    const key = allocNative(4);
    try {
      for (const pid of this.followed()) {
        if (processExists(pid)) {
          any = true;
          continue;
        }
        key.view.setUint32(0, pid, true);
        if (mapDelete(this.maps.procs, key.address)) this.procsChanged();
      }
    } finally {
      key.free();
    }
    return any;
  }

  /** Sends `signal` to every followed process (an interrupted recording ends the workload). */
  killAll(signal = 9): void {
    for (const pid of this.followed()) kill(pid, signal);
  }

  /** Live numbers for a status line. */
  progress(): { distinctSyscalls: number; processes: number } {
    const s = readStats(this.maps);
    return { distinctSyscalls: s.distinct, processes: s.processes + this.extraProcesses };
  }

  /** Everything recorded so far, as a RawTrace; `launcherTarget` gets the launcher's execve. */
  collect(launcherTarget: string | undefined): Collected {
    const out = collect(this.maps, {
      launcherTarget,
      userImages: this.userImages,
      extraProcesses: this.extraProcesses,
    });
    if (this.abiNote) out.notes.unshift(this.abiNote);
    return out;
  }

  /** Detaches and unloads everything. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [...this.fds].reverse()) close(fd);
    closeMaps(this.maps);
  }
}

/** True while `pid` runs (a zombie has exited; its parent just has not reaped it). */
export function processExists(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
