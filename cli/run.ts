// Runs a command action: known errors become one line on stderr and a defined exit code.
import { EXIT, isProfilerError } from '../src/errors.js';
import { escapeText } from '../src/util/escape.js';
import { mapStack } from './stack.js';

/** Wraps a command handler so failures never print a stack trace for known errors. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      if (code !== undefined) process.exitCode = code;
    } catch (error) {
      if (isProfilerError(error)) {
        // Messages quote file names and commands, maybe from a recording: one line, nothing raw.
        process.stderr.write(`profile: ${escapeText(error.message)}\n`);
        process.exitCode = error.exitCode;
      } else reportInternalError(error);
    }
  };
}

/** A failure no code path expected: a bug, reported with its stack (exit 70). */
export function reportInternalError(error: unknown): void {
  const stack = (error as Error)?.stack;
  process.stderr.write(`profile: internal error: ${stack === undefined ? String(error) : mapStack(stack)}\n`);
  process.exitCode = EXIT.internal;
}
