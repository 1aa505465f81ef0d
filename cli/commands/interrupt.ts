// What record, enforce and check hand the tracer from this process: the stop signals it receives
// (caught for the whole command, so a partial result is still written and printed), what it
// inherited (fds, ignored signals: cli/entry.cjs took the snapshot), the workload's argv as the
// bytes it was given, and the `--grace` flag they share.
import type { Command } from 'commander';
import {
  argvBytes,
  type ByteString,
  catchInterrupts,
  DEFAULT_GRACE_SECONDS,
  type Inheritance,
  type Interrupts,
  inheritedByThisProcess,
} from '../../src/tracer/index.js';
import { parseSeconds } from '../flags.js';

/** The process-level options of a traced command. */
export interface FromThisProcess {
  readonly interrupts: Interrupts;
  readonly inherit: Inheritance;
}

/** Runs `fn` with this process's stop signals caught (then released) and what it inherited. */
export async function fromThisProcess<T>(fn: (run: FromThisProcess) => Promise<T>): Promise<T> {
  const inherit = inheritedByThisProcess();
  const interrupts = catchInterrupts({ ignored: inherit.ignoredSignals });
  try {
    return await fn({ interrupts, inherit });
  } finally {
    interrupts.close();
  }
}

/** The workload's arguments as given: bytes that are not UTF-8 pass unchanged. */
export function workloadArgv(argv: readonly string[]): ByteString[] {
  return argvBytes(argv);
}

/** Adds `--grace SECONDS` to a traced command. */
export function graceOption(command: Command): Command {
  return command.option(
    '--grace <seconds>',
    `once the main process exits (or a stop signal was passed on to it), how long the rest may run before it is killed (default: ${DEFAULT_GRACE_SECONDS})`,
    (text: string) => parseSeconds(text, '--grace'),
  );
}

/**
 * For runs that pass no signal on (the container engines, src/container): the first stop signal
 * aborts the run through `signal`, which still writes and prints what was seen.
 */
export async function withInterrupt<T>(
  fn: (run: { readonly signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const interrupts = catchInterrupts();
  const stop = interrupts.subscribe(() => controller.abort());
  try {
    return await fn({ signal: controller.signal });
  } finally {
    stop();
    interrupts.close();
  }
}
