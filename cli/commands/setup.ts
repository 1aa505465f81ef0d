// `profile setup docker`: register the container runtime wrapper with dockerd (src/container/setup.ts).
import type { Command } from 'commander';
import { ProfilerError } from '../../src/errors.js';
import { action } from '../run.js';

interface SetupFlags {
  configFile?: string;
  pidFile?: string;
  name?: string;
}

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('register the runtime wrapper with an engine (once, as root): `profile setup docker`')
    .argument('<engine>', 'docker (podman needs no set-up: it takes the wrapper with --runtime)')
    .option('--config-file <file>', "dockerd's daemon.json", '/etc/docker/daemon.json')
    .option('--pid-file <file>', "dockerd's pid file (it is reloaded with SIGHUP)", '/var/run/docker.pid')
    .option('--name <name>', 'the runtime name', 'seccomp-profiler')
    .action(
      action(async (engine: string, flags: SetupFlags) => {
        if (engine !== 'docker')
          throw new ProfilerError(
            'USAGE',
            `Expected the engine to be docker, got \`${engine}\` (podman needs no set-up)`,
          );
        const { setupDocker } = await import('../../src/container/setup.js');
        const r = setupDocker({
          ...(flags.configFile ? { configFile: flags.configFile } : {}),
          ...(flags.pidFile ? { pidFile: flags.pidFile } : {}),
          ...(flags.name ? { name: flags.name } : {}),
        });
        process.stderr.write(
          r.changed
            ? `profile setup: registered runtime \`${r.name}\` → ${r.path} in ${r.configFile}; ${r.reloaded ? `reloaded dockerd (pid ${r.reloaded})` : 'no dockerd running: it takes effect when dockerd starts'}\n`
            : `profile setup: nothing to change: ${r.configFile} already registers \`${r.name}\` → ${r.path}\n`,
        );
        return 0;
      }),
    );
}
