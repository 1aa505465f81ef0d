// The eBPF backend's trace(): launch the workload with the usual launcher (no ptrace, no filter),
// follow its process tree in the kernel, wait for it on this thread, build the same recording.
import { ProfilerError } from '../../errors.js';
import { buildRecording } from '../../recording/builder.js';
import type { TraceOutcome } from '../../recording/trace.js';
import type { TraceOptions, TraceResult } from '../index.js';
import { close, waitpid } from '../libc.js';
import { realpathOr, signalName } from '../proc.js';
import { launcherError, readLauncherStatus, sendJob, startLauncher } from '../spawn.js';
import { resolveWorkload } from '../workload.js';
import { EbpfRecorder } from './recorder.js';

const WNOHANG = 1;
const SIGKILL = 9;
/** A safety net under SIGCHLD, which is the mechanism. */
const ROOT_POLL_MS = 50;
/** Descendants that outlive the workload's first process are waited for, like under ptrace. */
const TREE_POLL_MS = 2;

export interface EbpfTraceResult extends TraceResult {
  /** Sentences on what the recorder could not do exactly (also in the recording's run). */
  readonly notes: readonly string[];
}

/** Resolves with the launcher's wait status once it (or the workload it became) has exited. */
function waitForExit(pid: number): Promise<number> {
  const status = new Int32Array(1);
  return new Promise((resolve) => {
    const check = () => {
      if (waitpid(pid, status, WNOHANG) !== pid) return;
      process.off('SIGCHLD', check);
      clearInterval(timer);
      resolve(status[0]!);
    };
    process.on('SIGCHLD', check);
    const timer = setInterval(check, ROOT_POLL_MS);
    check();
  });
}

async function waitForTree(recorder: EbpfRecorder): Promise<void> {
  while (recorder.alive()) await new Promise((r) => setTimeout(r, TREE_POLL_MS));
}

/** A wait status as an exit code: the code, or 128+N for signal N. */
function codeOf(status: number): number {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

function outcomeOf(status: number, aborted: boolean): TraceOutcome {
  if (aborted) return { status: 'interrupted' };
  const sig = status & 0x7f;
  if (sig === 0) return { status: 'exited', code: (status >> 8) & 0xff };
  return { status: 'signaled', signal: signalName(sig), number: sig };
}

/**
 * Runs `opts.argv` and records it with eBPF. `recorder` is an open session to use (and close), e.g.
 * one `auto` opened to see whether the kernel accepts it; without it one is opened here, which
 * throws ProfilerError UNAVAILABLE when the kernel refuses.
 */
export async function traceEbpf(opts: TraceOptions, recorder?: EbpfRecorder): Promise<EbpfTraceResult> {
  let session = recorder;
  try {
    if (opts.scopes) {
      throw new ProfilerError(
        'USAGE',
        'the eBPF backend does not keep container scopes apart: record containers with ptrace',
      );
    }
    const workload = resolveWorkload(opts);
    session ??= EbpfRecorder.open();
    const rec = session;
    const startedAt = new Date();
    const started = performance.now();
    const launched = startLauncher(workload);
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      rec.killAll(SIGKILL);
    };
    const timer =
      opts.onProgress &&
      setInterval(
        () => opts.onProgress?.({ elapsedMs: performance.now() - started, ...rec.progress() }),
        100,
      );
    try {
      try {
        rec.follow(launched.pid, 'launcher');
      } catch (error) {
        process.kill(launched.pid, SIGKILL);
        throw error;
      }
      sendJob(launched.jobFd, { ...workload, filter: new Uint8Array(0) });
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort);
      const status = await waitForExit(launched.pid);
      // The status pipe is at EOF now: empty after a successful exec, the failure otherwise.
      const launcherFailure = readLauncherStatus(launched.statusFd);
      if (launcherFailure === undefined) opts.onRootExit?.(codeOf(status));
      await waitForTree(rec);
      if (launcherFailure !== undefined && !aborted) throw launcherError(launcherFailure, workload);
      const outcome = outcomeOf(status, aborted);
      const { raw, notes } = rec.collect(realpathOr(workload.path));
      const recording = buildRecording(
        {
          command: workload.argv,
          cwd: workload.cwd,
          startedAt,
          endedAt: new Date(),
          outcome,
          backend: 'ebpf',
          notes,
        },
        raw,
      );
      return { outcome, recording, filterEvents: [], notes };
    } finally {
      if (timer) clearInterval(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      close(launched.statusFd);
    }
  } finally {
    session?.close();
  }
}
