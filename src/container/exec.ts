// Replacing this Node process with another program, as a shell's `exec` would: same pid, same
// file descriptors (fds 3+ pass through untouched), same environment. The runtime wrapper uses it
// to hand every call it does not trace to the real runtime, so the engine talks to runc itself.
import { ProfilerError } from '../errors.js';
import { resolveCommand } from '../tracer/command.js';
import { F_SETFD } from '../tracer/constants.js';
import { errno, execve, fcntlInt, signalDefault, sigprocmask } from '../tracer/libc.js';

/** execve(argv) with the dispositions a shell would give it. Returns only by throwing. */
export function execReplacing(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): never {
  const [command] = argv;
  if (command === undefined) throw new ProfilerError('USAGE', 'nothing to exec');
  const path = resolveCommand(command, env.PATH, process.cwd());
  // Node marks 0-2 close-on-exec and ignores SIGPIPE/SIGXFSZ at start-up (DESIGN fact 3); both
  // would survive execve.
  for (const fd of [0, 1, 2]) fcntlInt(fd, F_SETFD, 0);
  signalDefault(13 /* SIGPIPE */, 0);
  signalDefault(25 /* SIGXFSZ */, 0);
  sigprocmask(2 /* SIG_SETMASK */, new Uint8Array(128), null);
  const envp = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  execve(path, [...argv, null], [...envp, null]);
  throw new ProfilerError('NOT_EXECUTABLE', `cannot exec ${path}: errno ${errno()}`);
}
