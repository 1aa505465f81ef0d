// The runtime wrapper: what the engine runs in place of runc (docker: a registered runtime, see
// setup.ts; podman: `--runtime PATH`). Calls that belong to no session, and every call but
// `create`/`exec` of a session's container, become the real runtime (execReplacing). For a
// session's `create` it starts the recorder in the background, waits only until the runtime's
// `create` itself has returned, and returns its exit code: the container's init then waits for
// `start` while the recorder keeps tracing it. A recorder in the foreground would hold `create`
// open until the container ends, and conmon and containerd wait for `create` before they `start`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execReplacing } from './exec.js';
import { awaitSessionFor, type Session, sessionFor } from './session.js';

/** First argument of the background recorder's command line (never a runtime argument). */
export const RECORDER_FLAG = '--seccomp-profiler-recorder';

/** How long `create` waits for the engine's client to write the container id. */
const SESSION_WAIT_MS = 3000;

/** runc/crun global options that take a value (the subcommand comes after them). */
const GLOBAL_WITH_VALUE = new Set([
  '--root',
  '--log',
  '--log-format',
  '--log-level',
  '--criu',
  '--rootless',
  '--cgroup-manager',
]);

/** The runtime subcommand in a runtime command line (`create`, `start`, `state`, …). */
export function subcommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return a;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
  }
  return undefined;
}

/** The runtime to hand calls to when no session says: $SECCOMP_PROFILER_RUNTIME, else runc. */
function defaultRuntime(): string[] {
  return [process.env.SECCOMP_PROFILER_RUNTIME || 'runc'];
}

/**
 * Starts the recorder for a session's `create`/`exec` and resolves with the runtime's own exit code
 * once that call has returned; undefined if the recorder could not start the runtime (the caller
 * then runs it untraced, and the session's result says why).
 */
function runInRecorder(
  session: Session,
  args: readonly string[],
  entry: string,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--no-warnings', entry, RECORDER_FLAG, session.dir, '--', ...args],
      {
        detached: true,
        stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      },
    );
    const status = child.stdio[3] as NodeJS.ReadableStream;
    let text = '';
    let done = false;
    const finish = (code: number | undefined) => {
      if (done) return;
      done = true;
      child.unref();
      (status as unknown as { destroy(): void }).destroy();
      resolve(code);
    };
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (!text.includes('\n') || line === undefined) return;
      const m = /^exit (\d+)$/.exec(line);
      finish(m ? Number(m[1]) : undefined);
    });
    status.on('end', () => finish(undefined));
    child.on('error', () => finish(undefined));
  });
}

/** The wrapper's main: never returns (exits or becomes the real runtime). */
export async function wrapperMain(args: readonly string[], entry: string): Promise<never> {
  const sub = subcommandOf(args);
  const traced = sub === 'create' || sub === 'exec';
  const session = traced ? await awaitSessionFor(args, SESSION_WAIT_MS) : sessionFor(args);
  if (session && traced) {
    const code = await runInRecorder(session, args, entry);
    if (code !== undefined) process.exit(code);
  }
  return execReplacing([...(session?.spec.runtime ?? defaultRuntime()), ...args]);
}

/** This module's bundle or compiled file: what the recorder is started from. */
export function wrapperEntry(metaUrl: string): string {
  return fileURLToPath(metaUrl);
}
