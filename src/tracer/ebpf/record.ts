// The eBPF backend's trace(): launch the workload with the usual launcher (no ptrace, no filter),
// follow its process tree in the kernel, supervise it as trace() does (src/tracer/supervisor.ts:
// stop signals passed on, the grace period, aborts) and build the same recording.
import { ProfilerError } from '../../errors.js';
import { buildRecording, scopedExecutables } from '../../recording/builder.js';
import type { TraceOutcome } from '../../recording/trace.js';
import type { TraceOptions, TraceResult } from '../index.js';
import { prepareWorkload } from '../input.js';
import { launcherError, readLauncherStatus } from '../launch-error.js';
import { close, kill, rtSigaction, SIG_IGN, waitpid } from '../libc.js';
import { realpathOr, signalName } from '../proc.js';
import { sendJob, startLauncher } from '../spawn.js';
import { graceMilliseconds, Supervisor } from '../supervisor.js';
import { EbpfRecorder } from './recorder.js';
import { EbpfRun } from './run.js';

const SIGKILL = 9;
const SIGUSR1 = 10;

export interface EbpfTraceResult extends TraceResult {
  /** Sentences on what the recorder could not do exactly (also in the recording's run). */
  readonly notes: readonly string[];
}

/** A wait status as an exit code: the code, or 128+N for signal N. */
function exitCode(status: number): number {
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
 * throws ProfilerError UNAVAILABLE when the kernel refuses. `filter`, `onTraceStop`, `thread`,
 * `pin` and `noNewPrivileges` are the ptrace tracer's: the workload runs without a filter.
 */
export async function traceEbpf(opts: TraceOptions, recorder?: EbpfRecorder): Promise<EbpfTraceResult> {
  let session = recorder;
  try {
    const graceMs = graceMilliseconds(opts.grace);
    if (process.env.XT) process.stderr.write(`T enter ${process.hrtime.bigint()}\n`);
    const { workload, cwd } = prepareWorkload(opts);
    if (process.env.XT) process.stderr.write(`T prepared ${process.hrtime.bigint()}\n`);
    session ??= EbpfRecorder.open();
    const rec = session;
    if (opts.scopes && rec.scopesProblem)
      throw new ProfilerError(
        'UNAVAILABLE',
        `eBPF backend unavailable for a container: ${rec.scopesProblem}`,
      );
    // Node starts its inspector on SIGUSR1, and the workload can signal us: ignore it for good, as
    // the ptrace tracer does. The launchers reset it for the workload.
    rtSigaction(SIGUSR1, SIG_IGN);
    const epochMs = Date.now();
    const startedAt = new Date(epochMs);
    const started = performance.now();
    const run = new EbpfRun(rec, epochMs);
    const supervisor = new Supervisor(run.view, {
      graceMs,
      epochMs,
      ...(opts.interrupts ? { interrupts: opts.interrupts } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onRequest: (what) => run.request(what),
      refresh: () => run.refresh(),
    });
    if (process.env.XT) process.stderr.write(`T opened ${process.hrtime.bigint()}\n`);
    const launched = startLauncher(workload);
    const timer =
      opts.onProgress &&
      setInterval(
        () => opts.onProgress?.({ elapsedMs: performance.now() - started, ...rec.progress() }),
        100,
      );
    try {
      try {
        // Marked calls only where a marker filter was asked for, as under ptrace (ScopeOptions).
        run.launched(launched.pid, opts.scopes && { mark: opts.scopes.marker !== undefined });
      } catch (error) {
        kill(launched.pid, SIGKILL);
        waitpid(launched.pid, new Int32Array(1), 0);
        close(launched.jobFd);
        throw error;
      }
      if (process.env.XT) process.stderr.write(`T launched ${process.hrtime.bigint()}\n`);
      sendJob(launched, { ...workload, filter: new Uint8Array(0) });
      supervisor.start();
      if (process.env.XT) process.stderr.write(`T jobsent ${process.hrtime.bigint()}\n`);
      const status = await run.waitRoot();
      // The status pipe is at EOF now: empty after a successful exec, the failure otherwise.
      if (process.env.XT) process.stderr.write(`T rootexited ${process.hrtime.bigint()}\n`);
      const launcherFailure = readLauncherStatus(launched.statusFd);
      // Called here rather than by the supervisor, whose wake-up may come after a tree that is
      // already empty has been collected.
      if (launcherFailure === undefined) opts.onRootExit?.(exitCode(status));
      await run.waitTree();
      if (launcherFailure !== undefined && !run.aborted) throw launcherError(launcherFailure, workload);
      const outcome = outcomeOf(status, run.aborted);
      const interruptedBy = supervisor.interruptedBy;
      if (process.env.XT) process.stderr.write(`T treedone ${process.hrtime.bigint()}\n`);
      const { raw, notes } = rec.collect(realpathOr(workload.path));
      if (process.env.XT) process.stderr.write(`T collected ${process.hrtime.bigint()}\n`);
      const recording = buildRecording(
        {
          command: workload.argv,
          cwd: cwd.bytes,
          startedAt,
          endedAt: new Date(),
          outcome,
          ...(interruptedBy ? { interruptedBy } : {}),
          ended: run.ended,
          backend: 'ebpf',
          notes,
        },
        raw,
      );
      return {
        outcome,
        recording,
        filterEvents: [],
        filterKills: [],
        ended: run.ended,
        ...(interruptedBy ? { interruptedBy } : {}),
        ...(opts.scopes ? { scopes: scopedExecutables(raw) } : {}),
        notes,
      };
    } finally {
      supervisor.stop();
      if (timer) clearInterval(timer);
      close(launched.statusFd);
    }
  } finally {
    session?.close();
  }
}
