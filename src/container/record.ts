// `profile record -- docker|podman run …` and `-- runc|crun run ID`: a recording of the container,
// with its workload, the runtime's post-filter calls and the engine/runtime told apart.
import { ProfilerError } from '../errors.js';
import type { ExecutableCounts, ScopedExecutables } from '../recording/builder.js';
import { addExecutableCounts, runExit } from '../recording/builder.js';
import { openRecordingOutput } from '../recording/output.js';
import type { Recording, RunContainer } from '../recording/schema.js';
import type { TraceOptions } from '../tracer/index.js';
import { traceBy } from '../tracer/record.js';
import { type EngineRun, parseEngineCommand, type RuntimeRun } from './engine.js';
import { runEngineSession } from './engine-session.js';
import { MARKER } from './measure.js';
import { markerProfile } from './profiles.js';
import type { RecorderResult } from './recorder.js';
import { bundleConfig, bundleOf, crunArgv, runtimeIdentity } from './runtimes.js';

export interface ContainerRecordOptions {
  readonly argv: readonly string[];
  readonly output: string;
  readonly append?: boolean;
  readonly signal?: AbortSignal;
  /** docker: the registered wrapper runtime (default: what `profile setup docker` registers). */
  readonly dockerRuntime?: string;
  /**
   * ebpf: the runtime and the container are followed in the kernel (root). The container then runs
   * under an allow-everything filter instead of the marker filter (RET_TRACE without a tracer would
   * fail every call with ENOSYS): the calls made under it outside the container are the marked ones.
   */
  readonly backend?: 'ptrace' | 'ebpf';
}

export interface ContainerRecordResult {
  /** The engine client's (or runtime's) exit code. */
  readonly exitCode: number;
  readonly recording: Recording;
  readonly written: Recording;
  readonly output: string;
}

/**
 * The container's filter under the eBPF backend: allows everything, yet is a filter, so the calls
 * the runtime's init makes after installing it can be told from those before (marked).
 */
const ALLOW_ALL = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] });

/**
 * The backend for a container command. `auto`: eBPF when the kernel loads the recorder here and can
 * tell the container's processes apart; the wrapper that records runs as root under the engine.
 */
export async function containerBackend(
  chosen: 'ptrace' | 'ebpf' | 'auto',
): Promise<{ backend: 'ptrace' | 'ebpf'; fallbackReason?: string }> {
  if (chosen === 'ptrace') return { backend: 'ptrace' };
  if (chosen === 'ebpf') return { backend: 'ebpf' };
  const { EbpfRecorder } = await import('../tracer/ebpf/recorder.js');
  const opened = EbpfRecorder.openOrReason();
  if (typeof opened === 'string') return { backend: 'ptrace', fallbackReason: opened };
  const problem = opened.scopesProblem;
  opened.close();
  return problem === undefined ? { backend: 'ebpf' } : { backend: 'ptrace', fallbackReason: problem };
}

/** True when `argv` is a container run `recordContainer` handles. */
export function isContainerCommand(argv: readonly string[]): boolean {
  return parseEngineCommand(argv) !== undefined;
}

/** One recording from the recorders' results, as the user's command: parts told apart. */
export async function assembleRecording(
  argv: readonly string[],
  startedAt: Date,
  exitCode: number,
  parts: readonly { recording: Recording; scopes?: ScopedExecutables }[],
  container: RunContainer,
): Promise<Recording> {
  const { mergeRecordings } = await import('../recording/merge.js');
  const merged = mergeRecordings(parts.map((p) => p.recording));
  const workload: ExecutableCounts = {};
  const postFilter: ExecutableCounts = {};
  for (const p of parts) {
    addExecutableCounts(workload, p.scopes?.contained ?? {});
    addExecutableCounts(postFilter, p.scopes?.marked ?? {});
  }
  const sum = (key: 'processes' | 'threads') => merged.runs.reduce((n, r) => n + r[key], 0);
  const first = merged.runs[0]!;
  const outcome =
    exitCode > 128
      ? { status: 'signaled' as const, signal: `SIG${exitCode - 128}`, number: exitCode - 128 }
      : { status: 'exited' as const, code: exitCode };
  return {
    ...merged,
    runs: [
      {
        ...first,
        command: [...argv],
        cwd: process.cwd(),
        startedAt: startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        exit: runExit(outcome),
        processes: sum('processes'),
        threads: sum('threads'),
        container,
      },
    ],
    container: { workload, postFilter },
  };
}

/** `runc|crun … run|create … ID`: traced directly, the container's processes told apart by root. */
async function recordRuntime(run: RuntimeRun, signal: AbortSignal | undefined, ebpf: boolean) {
  const runtime = run.engine === 'crun' ? crunArgv(run.argv[0]) : [run.argv[0]!];
  const args = run.argv.slice(1);
  const startedAt = new Date();
  const options: TraceOptions = {
    argv: [...runtime, ...args],
    pin: false,
    noNewPrivileges: false,
    scopes: {},
    // `runc create` returns while the container lives on: wait for it.
    grace: Number.POSITIVE_INFINITY,
    ...(signal ? { signal } : {}),
  };
  const result = await traceBy(ebpf ? 'ebpf' : 'ptrace', options);
  const identity = runtimeIdentity(runtime);
  const container: RunContainer = {
    engine: run.engine,
    runtime: {
      name: identity?.name ?? run.engine,
      version: identity?.version ?? 'unknown',
      noNewPrivileges: bundleConfig(bundleOf(args, process.cwd())).noNewPrivileges,
    },
  };
  const code =
    result.outcome.status === 'exited'
      ? result.outcome.code
      : result.outcome.status === 'signaled'
        ? 128 + result.outcome.number
        : 130;
  const recording = await assembleRecording(
    run.argv,
    startedAt,
    code,
    [{ recording: result.recording, ...(result.scopes ? { scopes: result.scopes } : {}) }],
    container,
  );
  return {
    exitCode: code,
    recording: result.outcome.status === 'interrupted' ? { ...recording, partial: true } : recording,
  };
}

/** A result's error, or the lack of any result, as one line. */
export function requireResults(results: readonly RecorderResult[], engine: string): RecorderResult[] {
  const failed = results.find((r) => r.error);
  if (failed)
    throw new ProfilerError(
      'UNAVAILABLE',
      `the runtime wrapper could not trace the container: ${failed.error}`,
    );
  const ok = results.filter((r) => r.recording);
  if (!ok.length) {
    throw new ProfilerError(
      'UNAVAILABLE',
      `${engine} never asked the runtime wrapper to create the container (is the image there, and did the container start?)`,
    );
  }
  return ok;
}

async function recordEngine(run: EngineRun, opts: ContainerRecordOptions) {
  const startedAt = new Date();
  const marked = run.seccomp === undefined;
  const ebpf = opts.backend === 'ebpf';
  const session = await runEngineSession({
    run,
    mode: 'record',
    ...(marked ? { seccomp: ebpf ? ALLOW_ALL : markerProfile(MARKER), marker: MARKER } : {}),
    ...(ebpf ? { backend: 'ebpf' as const } : {}),
    ...(opts.dockerRuntime ? { dockerRuntime: opts.dockerRuntime } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const ok = requireResults(session.results, run.engine);
  const creates = ok.filter((r) => r.subcommand === 'create');
  const runtime = (creates[0] ?? ok[0])!.runtime!;
  const container: RunContainer = {
    engine: run.engine,
    runtime,
    ...(run.image ? { image: run.image } : {}),
    ...(marked && !ebpf ? { marker: MARKER } : {}),
  };
  const parts = ok.map((r) => ({ recording: r.recording!, ...(r.scopes ? { scopes: r.scopes } : {}) }));
  const recording = await assembleRecording(run.argv, startedAt, session.exitCode, parts, container);
  return { exitCode: session.exitCode, recording };
}

/** Records a container run and writes the recording (merged into `output` with `append`). */
export async function recordContainer(opts: ContainerRecordOptions): Promise<ContainerRecordResult> {
  const run = parseEngineCommand(opts.argv);
  if (!run) throw new ProfilerError('USAGE', `not a container run: ${opts.argv.join(' ')}`);
  // Reserved before the container runs; with `append`, merged under a lock (recording/output.ts).
  const out = await openRecordingOutput(opts.output, { append: opts.append === true });
  try {
    const { exitCode, recording } =
      'runIndex' in run
        ? await recordEngine(run, opts)
        : await recordRuntime(run, opts.signal, opts.backend === 'ebpf');
    const written = await out.write(recording);
    return { exitCode, recording, written, output: opts.output };
  } finally {
    out.discard();
  }
}
