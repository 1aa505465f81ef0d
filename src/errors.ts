// Error classes with stable codes, and the process exit codes the CLI maps them to.

/** Exit codes of `profile`. Workload exit codes are mirrored verbatim; these are ours. */
export const EXIT = {
  ok: 0,
  /** `check` found drift, `lint --strict` found a problem. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** A profile or recording that is corrupt, foreign or inconsistent. */
  badInput: 65,
  /** A named input file does not exist or cannot be read. */
  noInput: 66,
  /** The kernel or environment cannot do what we need (ptrace refused, no seccomp). */
  unavailable: 69,
  /** A bug of ours. */
  internal: 70,
  /** The output path cannot be written. */
  cantCreate: 73,
  /** The workload's command exists but is not executable. */
  notExecutable: 126,
  /** The workload's command does not exist. */
  notFound: 127,
  /** `enforce`: the filter killed the workload (128 + SIGSYS). */
  violation: 159,
} as const;

export type ErrorCode =
  | 'USAGE'
  | 'BAD_INPUT'
  | 'NO_INPUT'
  | 'UNAVAILABLE'
  | 'CANT_CREATE'
  | 'NOT_EXECUTABLE'
  | 'NOT_FOUND'
  | 'TOO_LARGE'
  | 'INTERNAL';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.usage,
  BAD_INPUT: EXIT.badInput,
  NO_INPUT: EXIT.noInput,
  UNAVAILABLE: EXIT.unavailable,
  CANT_CREATE: EXIT.cantCreate,
  NOT_EXECUTABLE: EXIT.notExecutable,
  NOT_FOUND: EXIT.notFound,
  TOO_LARGE: EXIT.badInput,
  INTERNAL: EXIT.internal,
};

/** A known failure: the CLI prints `message` as one line and exits with `exitCode`. */
export class ProfilerError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProfilerError';
    this.code = code;
    this.exitCode = options?.exitCode ?? EXIT_BY_CODE[code];
  }
}

/** True for errors we raised on purpose (printed as one line, no stack). */
export function isProfilerError(error: unknown): error is ProfilerError {
  return error instanceof ProfilerError;
}
