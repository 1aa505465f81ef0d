// `profile check`: fail (exit 1) when a command makes syscalls its committed profile does not allow.
import type { Command } from 'commander';
import { action } from '../run.js';
import { graceOption, workloadArgv } from './interrupt.js';
import { isContainerRun, runContainer, runTraced } from './traced.js';

interface CheckFlags {
  profile: string;
  update?: boolean;
  json?: boolean;
  grace?: number;
}

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .description('run a command with its profile allowed in-kernel; exit 1 if it makes any new syscall')
    .requiredOption('-p, --profile <file>', 'the committed profile, filter or recording')
    .option('--update', 'widen the profile in place (atomically, same format) with what is new')
    .option('--json', 'print the report as one JSON line on stdout after the workload');
  graceOption(command)
    .argument('<command...>', 'the command to gate, e.g. `npm test`')
    .passThroughOptions()
    .action(
      action(async (argv: string[], flags: CheckFlags) => {
        if (isContainerRun(argv)) {
          return runContainer(argv, flags.profile, 'check', flags.json === true, flags.update === true);
        }
        // Loaded on use: start-up time counts against check's overhead budget.
        const { check } = await import('../../src/enforcer/check.js');
        const { formatCheck } = await import('../../src/enforcer/report.js');
        return runTraced({
          run: (common) =>
            check({
              ...common,
              profile: flags.profile,
              command: workloadArgv(argv),
              update: flags.update === true,
            }),
          report: formatCheck,
          json: flags.json === true,
          grace: flags.grace,
        });
      }),
    );
}
