// `profile enforce|check --profile P -- docker|podman run …`: the container runs under P as the
// engine installs it (runc or crun loads it, with the engine's NNP setting), and the recorder in the
// runtime wrapper names what it blocked. Where docker has no wrapper registered, enforce falls back
// on the kernel's audit records of seccomp kills.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../arch/index.js';
import { type LoadedProfile, loadProfile, writeWidenedProfile } from '../enforcer/profile.js';
import { EXIT, ProfilerError } from '../errors.js';
import { emitPolicy } from '../generator/emit/index.js';
import { addExecutableCounts, type ExecutableCounts } from '../recording/builder.js';
import { mergeRecordings } from '../recording/merge.js';
import type { Recording } from '../recording/schema.js';
import { assertWritable } from '../util/atomic-write.js';
import { type AuditKill, auditKillsSince } from './audit.js';
import { type EngineRun, parseEngineCommand } from './engine.js';
import { DOCKER_RUNTIME_NAME, runClient, runEngineSession } from './engine-session.js';
import { type ContainerViolation, runtimeAdvice, workloadAdvice } from './explain.js';
import { checkingProfile } from './profiles.js';
import type { RecorderResult } from './recorder.js';
import type { RuntimeInfo } from './runtimes.js';

export interface ContainerEnforceOptions {
  readonly profile: string;
  readonly command: readonly string[];
  /** check: let everything run, report what the profile would block (exit 1 on drift). */
  readonly mode: 'enforce' | 'check';
  readonly signal?: AbortSignal;
  readonly dockerRuntime?: string;
  /** check: widen the profile in place (atomically, its own format) with the drift. */
  readonly update?: boolean;
}

export interface ContainerEnforceResult {
  readonly mode: 'enforce' | 'check';
  readonly profile: string;
  readonly engine: string;
  readonly runtime?: RuntimeInfo;
  /** Where the violations come from: the traced runtime, or the kernel log (untraced). */
  readonly source: 'tracer' | 'audit';
  readonly violations: readonly ContainerViolation[];
  /** The engine client's exit code. */
  readonly clientExitCode: number;
  /** enforce: 159 when something was killed, else the client's; check: 1 on drift, else the client's. */
  readonly exitCode: number;
  /** check --update: the profile was widened with the drift. */
  readonly updated: boolean;
}

/** A recording compiles with what every container needs: the runc and crun post-filter sets. */
const CONTAINER_GENERATE = { runtime: 'any' } as const;

/** The container's profile as Docker JSON: the file itself when it is one, else converted. */
function containerProfile(profile: LoadedProfile, mode: ContainerEnforceOptions['mode']): string {
  if (mode === 'check') return checkingProfile(profile.policy);
  return emitPolicy(profile.policy, 'docker') as string;
}

/**
 * What check saw, as one container recording: every traced call was drift (the container's filter
 * traced it), the contained processes' calls are the workload's and the rest the runtime's after
 * its filter, so the profile is widened as `generate` would read a recording of this run.
 */
function driftRecording(results: readonly RecorderResult[]): Recording {
  const recordings = results.map((r) => r.recording as Recording);
  const workload: ExecutableCounts = {};
  const all: ExecutableCounts = {};
  for (const r of results) addExecutableCounts(workload, r.scopes?.contained ?? {});
  for (const rec of recordings) addExecutableCounts(all, rec.executables);
  const postFilter: ExecutableCounts = {};
  for (const [exe, perArch] of Object.entries(all)) {
    for (const [arch, names] of Object.entries(perArch) as [Arch, Record<string, number>][]) {
      for (const [name, count] of Object.entries(names)) {
        const rest = count - (workload[exe]?.[arch]?.[name] ?? 0);
        if (rest > 0) addExecutableCounts(postFilter, { [exe]: { [arch]: { [name]: rest } } });
      }
    }
  }
  return { ...mergeRecordings(recordings), container: { workload, postFilter } };
}

function fromKills(results: readonly RecorderResult[]): ContainerViolation[] {
  const out: ContainerViolation[] = [];
  for (const r of results) {
    for (const e of r.filterEvents) {
      const role = e.contained ? 'workload' : 'runtime';
      out.push({
        kind: e.kind,
        role,
        syscall: e.name,
        arch: e.arch,
        nr: e.nr,
        pid: e.pid,
        executable: e.executable,
        ...(e.comm ? { comm: e.comm } : {}),
        args: e.args,
        count: 1,
        advice: role === 'runtime' ? runtimeAdvice(e.name, r.runtime) : workloadAdvice(e.name, e.kind),
      });
    }
  }
  return out;
}

/** check: every stop the recorder saw was the container's filter tracing a call it does not allow. */
function fromDrift(results: readonly RecorderResult[]): ContainerViolation[] {
  const out: ContainerViolation[] = [];
  for (const r of results) {
    const rec = r.recording as Recording;
    const contained = r.scopes?.contained ?? {};
    for (const [exe, perArch] of Object.entries(rec.executables)) {
      const inContainer = contained[exe] ?? {};
      for (const [arch, names] of Object.entries(perArch) as [
        ContainerViolation['arch'],
        Record<string, number>,
      ][]) {
        for (const [syscall, count] of Object.entries(names)) {
          const workloadCount = inContainer[arch]?.[syscall] ?? 0;
          const nr = rec.syscalls[arch]?.[syscall]?.nr ?? -1;
          const base = { kind: 'would-block' as const, syscall, arch, nr, executable: exe };
          if (workloadCount)
            out.push({
              ...base,
              role: 'workload',
              count: workloadCount,
              advice: workloadAdvice(syscall, 'would-block'),
            });
          if (count > workloadCount)
            out.push({
              ...base,
              role: 'runtime',
              count: count - workloadCount,
              advice: runtimeAdvice(syscall, r.runtime),
            });
        }
      }
    }
  }
  return out;
}

function fromAudit(kills: readonly AuditKill[]): ContainerViolation[] {
  return kills.map((k) => {
    // runc's init names itself runc:[2:INIT]; crun's keeps crun's name until it execs.
    const role = /^runc:|^crun$/.test(k.comm) ? 'runtime' : 'workload';
    return {
      kind: 'killed',
      role,
      syscall: k.syscall,
      arch: k.arch,
      nr: k.nr,
      pid: k.pid,
      executable: k.exe,
      comm: k.comm,
      count: 1,
      advice: role === 'runtime' ? runtimeAdvice(k.syscall, undefined) : workloadAdvice(k.syscall, 'killed'),
    };
  });
}

function engineRunOf(command: readonly string[]): EngineRun {
  const run = parseEngineCommand(command);
  if (!run || !('runIndex' in run)) {
    throw new ProfilerError('USAGE', `not a \`docker run\` or \`podman run\`: ${command.join(' ')}`);
  }
  if (run.seccomp !== undefined) {
    throw new ProfilerError(
      'USAGE',
      `drop \`--security-opt seccomp=${run.seccomp}\`: \`--profile\` is the container's profile here`,
    );
  }
  return run;
}

/** Runs the container under the profile and names what it blocked. */
export async function enforceContainer(opts: ContainerEnforceOptions): Promise<ContainerEnforceResult> {
  const run = engineRunOf(opts.command);
  const update = opts.update === true;
  if (update && opts.mode !== 'check') throw new ProfilerError('USAGE', '`--update` is for check only');
  if (update) assertWritable(opts.profile);
  const profile = loadProfile(opts.profile, CONTAINER_GENERATE);
  const seccomp = containerProfile(profile, opts.mode);
  const started = Date.now();
  const base = { mode: opts.mode, profile: opts.profile, engine: run.engine };
  let source: ContainerEnforceResult['source'] = 'tracer';
  let clientExitCode: number;
  let violations: ContainerViolation[];
  let runtime: RuntimeInfo | undefined;
  // The runtime calls the wrapper traced (none on the audit path).
  let traced: RecorderResult[] = [];
  try {
    const session = await runEngineSession({
      run,
      mode: opts.mode,
      seccomp,
      ...(opts.dockerRuntime ? { dockerRuntime: opts.dockerRuntime } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    clientExitCode = session.exitCode;
    traced = session.results.filter((r) => r.recording);
    runtime = traced.find((r) => r.subcommand === 'create')?.runtime;
    if (traced.length === 0) {
      source = 'audit';
      violations = fromAudit(auditKillsSince(started));
    } else violations = opts.mode === 'check' ? fromDrift(traced) : fromKills(traced);
  } catch (error) {
    // No wrapper registered with docker: run it as is and read the kernel's log (enforce only).
    if (
      opts.mode !== 'enforce' ||
      run.engine !== 'docker' ||
      !/has no runtime/.test((error as Error).message)
    )
      throw error;
    source = 'audit';
    const dir = mkdtempSync(join(tmpdir(), 'profile-enforce-'));
    try {
      const file = join(dir, 'seccomp.json');
      writeFileSync(file, seccomp);
      clientExitCode = await runClient(untracedArgv(run, file), process.env, opts.signal);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    violations = fromAudit(auditKillsSince(started));
  }
  const blocked = violations.length > 0;
  let updated = false;
  // update is check's only: every traced call was drift.
  if (update && blocked && traced.length) {
    await writeWidenedProfile(profile, driftRecording(traced), opts.profile, CONTAINER_GENERATE);
    updated = true;
  }
  const exitCode =
    opts.mode === 'check'
      ? blocked
        ? EXIT.failure
        : clientExitCode
      : blocked && violations.some((v) => v.kind === 'killed')
        ? EXIT.violation
        : clientExitCode;
  return {
    ...base,
    ...(runtime ? { runtime } : {}),
    source,
    violations,
    clientExitCode,
    exitCode,
    updated,
  };
}

/** `docker run --security-opt seccomp=PROFILE …` without the wrapper (the audit fallback). */
function untracedArgv(run: EngineRun, profile: string): string[] {
  return [
    ...run.argv.slice(0, run.runIndex + 1),
    '--security-opt',
    `seccomp=${profile}`,
    ...run.argv.slice(run.runIndex + 1),
  ];
}

export { DOCKER_RUNTIME_NAME };
