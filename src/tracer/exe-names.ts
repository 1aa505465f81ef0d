// Which executable a process's calls are counted for: the binary it exec'd, or, for a process first
// seen at its own stop, the one it runs (with scopes: its parent's, contained or not). With scopes
// (a container run), an exec under another root than the tracer's is contained, and so is every
// exec of a contained process.
import type { Counters, ExeCounters } from './counters.js';
import { readExe, readPpid, rootId } from './proc.js';
import type { Proc } from './tracees.js';

export class ExeNames {
  /** With scopes: the tracer's root directory (dev:ino), to see a container's pivot_root. */
  private readonly hostRoot: string | undefined;

  constructor(
    private readonly counters: Counters,
    scopes: boolean,
    private readonly procOf: (pid: number) => Proc | undefined,
  ) {
    this.hostRoot = scopes ? rootId('self') : undefined;
  }

  /** At `proc`'s exec event (`pid` its thread that exec'd): its new counters; the exec is counted. */
  atExec(proc: Proc, pid: number): ExeCounters {
    const seen = readExe(pid);
    // A binary the tracer cannot name from its own root reads as '/' (a runtime that re-execs itself
    // from a memfd after pivot_root): it is still the program this process ran before.
    const path = seen === '/' && this.hostRoot !== undefined ? proc.exe.path : seen;
    this.counters.execs.set(path, (this.counters.execs.get(path) ?? 0) + 1);
    return this.counters.exe(path, this.execScope(proc, pid));
  }

  /** The counters of a process first seen at its own stop; with scopes, its parent's. */
  newProcess(pid: number): ExeCounters {
    const parent = this.hostRoot === undefined ? undefined : readPpid(pid);
    return (parent === undefined ? undefined : this.procOf(parent)?.exe) ?? this.counters.exe(readExe(pid));
  }

  private execScope(proc: Proc, pid: number): 'contained' | undefined {
    if (this.hostRoot === undefined) return undefined;
    if (proc.exe.scope === 'contained') return 'contained';
    const root = rootId(pid);
    return root !== undefined && root !== this.hostRoot ? 'contained' : undefined;
  }
}
