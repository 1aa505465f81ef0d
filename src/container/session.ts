// The rendezvous between `profile` (record/enforce/check of a `docker run` or `podman run`) and the
// runtime wrapper the engine starts. The engine runs the wrapper in its own environment (dockerd's,
// conmon's), so nothing can be handed down through variables, and nothing may reach the container:
// the CLI leaves a session directory under the run directory, with the container id file the
// engine's client writes (`--cidfile`), and the wrapper finds its session by the container id it
// is asked to create. Results come back as files in the same directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Where sessions live: $SECCOMP_PROFILER_RUNDIR, else /run/seccomp-profiler (root only). */
export function runDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SECCOMP_PROFILER_RUNDIR || '/run/seccomp-profiler';
}

/** What a session asks of the wrapper. */
export interface SessionSpec {
  readonly version: 1;
  /** record: trace everything; enforce: watch for kills; check: the container filter traces drift. */
  readonly mode: 'record' | 'enforce' | 'check';
  readonly engine: string;
  /** The real runtime, as an argv prefix (e.g. ['/usr/sbin/runc']). */
  readonly runtime: readonly string[];
  /** The file in which the engine's client writes the container id. */
  readonly cidfile: string;
  /** RET_TRACE data of the container filter the CLI injected (record, check). */
  readonly marker?: number;
  /** record: the recorder's backend; absent, ptrace. */
  readonly backend?: 'ebpf';
  /** The pid of the `profile` process that owns the session: a dead owner makes it stale. */
  readonly owner: number;
}

export interface Session {
  readonly dir: string;
  readonly spec: SessionSpec;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates a session directory (mode 0700) with its spec. */
export function createSession(
  spec: Omit<SessionSpec, 'version' | 'owner' | 'cidfile'> & { cidfile?: string },
): Session {
  const base = join(runDir(), 'sessions');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const dir = join(base, `${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { mode: 0o700 });
  const full: SessionSpec = {
    version: 1,
    owner: process.pid,
    ...spec,
    cidfile: spec.cidfile ?? join(dir, 'cid'),
  };
  writeFileAtomic(join(dir, 'session.json'), JSON.stringify(full));
  return { dir, spec: full };
}

/** Removes a session's directory. */
export function removeSession(session: Session): void {
  rmSync(session.dir, { recursive: true, force: true });
}

function readSession(dir: string): Session | undefined {
  try {
    const spec = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as SessionSpec;
    return spec.version === 1 ? { dir, spec } : undefined;
  } catch {
    return undefined;
  }
}

function containerIdOf(session: Session): string | undefined {
  try {
    return readFileSync(session.spec.cidfile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Live sessions (stale ones, whose owner died, are removed on the way). */
export function liveSessions(): Session[] {
  const base = join(runDir(), 'sessions');
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const out: Session[] = [];
  for (const name of names) {
    const session = readSession(join(base, name));
    if (!session) continue;
    if (alive(session.spec.owner)) out.push(session);
    else rmSync(session.dir, { recursive: true, force: true });
  }
  return out;
}

/** The live session whose container id is among `args` (the runtime's arguments), if any. */
export function sessionFor(args: readonly string[], sessions = liveSessions()): Session | undefined {
  return sessions.find((s) => {
    const id = containerIdOf(s);
    return id !== undefined && args.includes(id);
  });
}

/**
 * Waits (at most `ms`) for a live session to name one of `args` as its container. The engine's
 * client writes the id file right after the container is created, before starting it; polling
 * covers the case where the runtime is asked to create before that write is visible.
 */
export async function awaitSessionFor(args: readonly string[], ms: number): Promise<Session | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const sessions = liveSessions();
    const found = sessionFor(args, sessions);
    if (found || sessions.length === 0 || Date.now() >= deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A recorder announces itself while it traces, so the CLI knows to wait for its result. */
export function markActive(session: Session, pid: number): string {
  const file = join(session.dir, `active-${pid}`);
  writeFileSync(file, '');
  return file;
}

/** Pids of recorders still tracing in this session. */
export function activeRecorders(session: Session): number[] {
  try {
    return readdirSync(session.dir)
      .filter((n) => n.startsWith('active-'))
      .map((n) => Number(n.slice(7)))
      .filter((pid) => Number.isInteger(pid) && alive(pid));
  } catch {
    return [];
  }
}

/** Result files (`result-*.json`) of a session, parsed, in the order they were written. */
export function sessionResults<T>(session: Session): T[] {
  let names: string[];
  try {
    names = readdirSync(session.dir).filter((n) => n.startsWith('result-') && n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => JSON.parse(readFileSync(join(session.dir, n), 'utf8')) as T)
    .filter((r) => r !== undefined);
}

/** Writes one recorder's result into the session, atomically. */
export function writeResult(session: Session, pid: number, result: unknown): void {
  if (!existsSync(session.dir)) return; // the owner gave up on it
  writeFileAtomic(join(session.dir, `result-${Date.now()}-${pid}.json`), JSON.stringify(result));
}
