// `inspect`'s target: a pid, or a container name or id that an engine resolves to its init's pid.
import { execa } from 'execa';
import { ProfilerError } from '../errors.js';

/** A process to inspect, and the container it is the init of, when it was named that way. */
export interface InspectTarget {
  readonly pid: number;
  readonly container?: string;
  readonly engine?: string;
}

/**
 * `target` as a pid, or as a container of `engine` (a command line such as `docker -H unix:///x.sock`;
 * default: docker, then podman, as installed).
 */
export async function resolveTarget(target: string, engine?: readonly string[]): Promise<InspectTarget> {
  if (/^\d+$/.test(target)) return { pid: Number(target) };
  const engines = engine ? [engine] : [['docker'], ['podman']];
  const tried: string[] = [];
  for (const argv of engines) {
    const r = await execa(argv[0]!, [...argv.slice(1), 'inspect', '--format', '{{.State.Pid}}', target], {
      reject: false,
      timeout: 30_000,
      stdin: 'ignore',
    });
    const pid = Number(String(r.stdout).trim());
    if (r.exitCode === 0 && Number.isInteger(pid) && pid > 0)
      return { pid, container: target, engine: argv.join(' ') };
    if (r.exitCode === 0) tried.push(`${argv[0]}: ${target} is not running`);
    else
      tried.push(
        `${argv[0]}: ${(String(r.stderr).trim().split('\n')[0] || (r as { shortMessage?: string }).shortMessage) ?? 'failed'}`,
      );
  }
  throw new ProfilerError('NO_INPUT', `no process or running container \`${target}\` (${tried.join('; ')})`);
}
