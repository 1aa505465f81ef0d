// The background recorder the wrapper starts for a session's `create`/`exec`: it traces the real
// runtime and everything it starts (runc init, the container's processes) until the last of them
// has exited, tells the wrapper as soon as the runtime's own call returned (fd 3), and leaves its
// result in the session. Its stdio is the container's, so it never prints.
import { closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { returnValue } from '../arch/seccomp.js';
import { isProfilerError } from '../errors.js';
import { K, RET, stmt, type ValidatedProgram } from '../generator/bpf/types.js';
import { validateProgram } from '../generator/bpf/validate.js';
import type { ScopedExecutables } from '../recording/builder.js';
import type { Recording } from '../recording/schema.js';
import { exitCodeOf, type FilterEvent, type TraceOptions, type TraceOutcome } from '../tracer/index.js';
import { traceBy } from '../tracer/record.js';
import { bundleConfig, bundleOf, type RuntimeInfo, runtimeIdentity } from './runtimes.js';
import { markActive, type Session, type SessionSpec, writeResult } from './session.js';
import { subcommandOf } from './wrapper.js';

/** What one recorder leaves in the session (result-*.json). */
export interface RecorderResult {
  /** The runtime call it traced, e.g. ['--root', …, 'create', '--bundle', …, ID]. */
  readonly args: readonly string[];
  readonly subcommand: string | undefined;
  readonly runtime?: RuntimeInfo;
  readonly marker?: number;
  readonly outcome?: TraceOutcome;
  readonly filterEvents: readonly FilterEvent[];
  readonly recording?: Recording;
  readonly scopes?: ScopedExecutables;
  /** Set when the runtime could not be traced (the wrapper then ran it untraced). */
  readonly error?: string;
}

const STATUS_FD = 3;

/** `ret SECCOMP_RET_ALLOW`: enforce and check leave deciding to the container's own filter. */
function allowAllFilter(): ValidatedProgram {
  return validateProgram([stmt(RET | K, returnValue('allow'))]);
}

function readSpec(dir: string): Session {
  return { dir, spec: JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as SessionSpec };
}

/** The recorder's main: traces `args` with the session's runtime; resolves when all is over. */
export async function recorderMain(sessionDir: string, args: readonly string[]): Promise<void> {
  let reported = false;
  const report = (line: string) => {
    if (reported) return;
    reported = true;
    try {
      writeSync(STATUS_FD, line);
      closeSync(STATUS_FD);
    } catch {}
  };
  let session: Session | undefined;
  let active: string | undefined;
  const base = { args, subcommand: subcommandOf(args), filterEvents: [] as FilterEvent[] };
  try {
    session = readSpec(sessionDir);
    active = markActive(session, process.pid);
    const { spec } = session;
    const config = bundleConfig(bundleOf(args, process.cwd()));
    const identity = runtimeIdentity(spec.runtime);
    const runtime: RuntimeInfo = {
      name: identity?.name ?? basename(spec.runtime[0] ?? 'runtime'),
      version: identity?.version ?? 'unknown',
      noNewPrivileges: config.noNewPrivileges,
    };
    const options: TraceOptions = {
      argv: [...spec.runtime, ...args],
      pin: false,
      // The runtime decides no_new_privileges for the container; we may not set it for it.
      noNewPrivileges: false,
      scopes: spec.marker === undefined ? {} : { marker: spec.marker },
      ...(spec.mode === 'record' ? {} : { filter: allowAllFilter() }),
      onRootExit: (code) => report(`exit ${code}\n`),
      // `runc create` returns while the container lives on: wait for it, as the engine does.
      grace: Number.POSITIVE_INFINITY,
    };
    const result = await traceBy(
      spec.backend === 'ebpf' && spec.mode === 'record' ? 'ebpf' : 'ptrace',
      options,
    );
    report(`exit ${exitCodeOf(result.outcome)}\n`);
    const out: RecorderResult = {
      ...base,
      runtime,
      ...(spec.marker === undefined ? {} : { marker: spec.marker }),
      outcome: result.outcome,
      filterEvents: result.filterEvents,
      recording: result.recording,
      ...(result.scopes ? { scopes: result.scopes } : {}),
    };
    writeResult(session, process.pid, out);
  } catch (error) {
    report('fail\n');
    const message = isProfilerError(error) ? error.message : String((error as Error)?.stack ?? error);
    if (session) writeResult(session, process.pid, { ...base, error: message } satisfies RecorderResult);
  } finally {
    if (active) rmSync(active, { force: true });
  }
}
