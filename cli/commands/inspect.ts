// `profile inspect <pid|container> [--against P]`: what seccomp installed, and whether it is P.
import type { Command } from 'commander';
import { ProfilerError } from '../../src/errors.js';
import { action } from '../run.js';
import { jsonPretty } from './json.js';

interface InspectFlags {
  against?: string;
  runtime?: string;
  engine?: string;
  json?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'read the seccomp filters a running process or container has installed; with --against, say whether they decide every syscall as a profile does (exit 1 if not)',
    )
    .argument('<target>', 'a pid, or a container name or id (docker, then podman)')
    .option('--against <profile>', 'a Docker/OCI profile, raw .bpf or recording to compare with')
    .option(
      '--engine <command>',
      'the engine command that knows the container, e.g. "docker -H unix:///run/x.sock"',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (target: string, flags: InspectFlags) => {
        const { resolveTarget } = await import('../../src/container/target.js');
        const { inspectProcess } = await import('../../src/container/inspect.js');
        const { formatInspect } = await import('../../src/container/inspect-report.js');
        const resolved = await resolveTarget(target, flags.engine?.split(/\s+/).filter(Boolean));
        const runtime = flags.runtime === undefined ? undefined : parseInspectRuntime(flags.runtime);
        const result = inspectProcess(resolved.pid, {
          ...(flags.against ? { against: flags.against } : {}),
          ...(runtime ? { runtime } : {}),
        });
        process.stdout.write(
          flags.json ? jsonPretty({ ...resolved, ...result }) : formatInspect(result, resolved.container),
        );
        return result.against && !result.against.identical ? 1 : 0;
      }),
    );
}

function parseInspectRuntime(text: string): 'runc' | 'none' {
  if (text === 'runc' || text === 'none') return text;
  throw new ProfilerError('USAGE', `Expected \`--runtime\` to be one of runc, none, got \`${text}\``);
}
