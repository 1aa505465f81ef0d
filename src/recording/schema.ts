// The recording: versioned JSON written by `profile record`, read by everything else.
// Documented in docs/recording.md; validated on read with zod.
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { ARCHES } from '../arch/index.js';

import { RECORDING_FORMAT, RECORDING_VERSION } from './format.js';

export { RECORDING_FORMAT, RECORDING_VERSION };

/** Builds the zod schemas; `z` is passed in so that zod loads only when a recording is validated. */
function buildSchemas(z: typeof Zod) {
  const archKey = z.enum(ARCHES);
  const count = z.number().int().nonnegative();

  /** How the workload ended. `interrupted`: the profiler was told to stop (SIGINT/SIGTERM). */
  const exitSchema = z.discriminatedUnion('status', [
    z.object({ status: z.literal('exited'), code: z.number().int() }),
    z.object({ status: z.literal('signaled'), signal: z.string(), number: z.number().int() }),
    z.object({ status: z.literal('interrupted') }),
  ]);

  /** executable path → arch → syscall name → count. */
  const executablesSchema = z.record(z.string(), z.partialRecord(archKey, z.record(z.string(), count)));

  /** A run recorded through a container engine or runtime (src/container): who ran it, how. */
  const runContainerSchema = z.object({
    /** docker, podman, runc or crun: the command the user ran. */
    engine: z.string(),
    /** The OCI runtime that started the container, and whether it set no_new_privileges. */
    runtime: z.object({ name: z.string(), version: z.string(), noNewPrivileges: z.boolean() }),
    image: z.string().optional(),
    /** RET_TRACE data of the container filter the recorder injected: marked stops are post-filter. */
    marker: z.number().int().min(1).max(0xffff).optional(),
  });

  /** One traced run: provenance. A merged recording holds one per source run. */
  const runSchema = z.object({
    /** The command as text; bytes that are not UTF-8 show as U+FFFD (then commandBytes has them). */
    command: z.array(z.string()).min(1),
    /** Present when an argument is not UTF-8: every argument's exact bytes, base64. Replays use these. */
    commandBytes: z.array(z.string()).optional(),
    cwd: z.string(),
    /** Present when the cwd is not UTF-8: its exact bytes, base64. */
    cwdBytes: z.string().optional(),
    startedAt: z.string(),
    endedAt: z.string(),
    kernel: z.string(),
    machine: z.string(),
    toolVersion: z.string(),
    partial: z.boolean(),
    exit: exitSchema,
    /** The stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) that cut the run short. */
    interruptedBy: z.string().optional(),
    /** Processes still running at the end (grace period over, or interrupted), which were killed. */
    ended: z.array(z.object({ pid: count, executable: z.string() })).optional(),
    processes: count,
    threads: count,
    container: runContainerSchema.optional(),
    /** Which recorder made the run (absent in recordings older than the eBPF backend: ptrace). */
    backend: z.enum(['ptrace', 'ebpf']).optional(),
    /** What the recorder could not do exactly, one sentence each (e.g. ABIs it could not tell apart). */
    notes: z.array(z.string()).optional(),
  });

  /** name → { nr, count } for one arch. */
  const syscallCounts = z.record(z.string(), z.object({ nr: z.number().int(), count }));

  /** Distinct values of the recorded arguments of one syscall (see arg-specs.ts). */
  const argValuesSchema = z.object({
    /** Each entry: field name → value (exact unsigned integer, as a number), plus `count`. */
    values: z.array(z.record(z.string(), z.number().int().nonnegative())),
    /** More distinct values were seen than MAX_ARG_VALUES: the list is incomplete. */
    truncated: z.boolean(),
  });

  const recordingSchema = z.object({
    format: z.literal(RECORDING_FORMAT),
    version: z.literal(RECORDING_VERSION),
    tool: z.object({ name: z.string(), version: z.string() }),
    /** True when any run was interrupted: the syscall set may be incomplete. */
    partial: z.boolean(),
    runs: z.array(runSchema).min(1),
    /** arch → syscall name → { nr, count }. */
    syscalls: z.partialRecord(archKey, syscallCounts),
    /** executable path → arch → syscall name → count. */
    executables: executablesSchema,
    /**
     * Container recordings: the part of `executables` that is the container's own. `workload`: the
     * processes inside the container, from the entrypoint's exec on. `postFilter`: what the runtime
     * did under the container's seccomp filter before that exec (it must be in the profile too).
     * Everything else in `executables` is the engine and runtime before the filter was loaded.
     */
    container: z.object({ workload: executablesSchema, postFilter: executablesSchema }).optional(),
    /** Executables the workload exec'd, with how often. */
    execs: z.array(z.object({ path: z.string(), count })),
    /** arch → syscall name → distinct argument values. */
    args: z.partialRecord(archKey, z.record(z.string(), argValuesSchema)),
  });
  return { exitSchema, runSchema, runContainerSchema, argValuesSchema, recordingSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/**
 * The recording's zod schemas, built on first use. zod is most of the modules a `check` or
 * `enforce` start-up would load otherwise, and only reading a recording needs it.
 */
export function recordingSchemas(): Schemas {
  schemas ??= buildSchemas(createRequire(import.meta.url)('zod') as typeof Zod);
  return schemas;
}

export type RunExit = Zod.infer<Schemas['exitSchema']>;
export type RecordingRun = Zod.infer<Schemas['runSchema']>;
export type RunContainer = Zod.infer<Schemas['runContainerSchema']>;
export type ArgValues = Zod.infer<Schemas['argValuesSchema']>;
export type Recording = Zod.infer<Schemas['recordingSchema']>;

/** True when a parsed JSON value claims to be a recording (used to detect input kinds). */
export function looksLikeRecording(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { format?: unknown }).format === RECORDING_FORMAT
  );
}
