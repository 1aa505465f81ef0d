// `profile enforce`: run a workload under a profile's real filter; `--complain` lists every violation.
import type { Command } from 'commander';
import { action } from '../run.js';
import { graceOption, workloadArgv } from './interrupt.js';
import { isContainerRun, runContainer, runTraced } from './traced.js';

interface EnforceFlags {
  profile: string;
  complain?: boolean;
  fix?: string;
  json?: boolean;
  grace?: number;
}

export function registerEnforce(program: Command): void {
  const command = program
    .command('enforce')
    .description(
      'run a command under a profile (Docker/OCI JSON, raw .bpf or a recording) and name the syscall that breaks it',
    )
    .option('-p, --profile <file>', 'profile, filter or recording to enforce', 'recording.json')
    .option('--complain', 'let violations run and list every one of them at the end')
    .option('--fix <out>', 'with --complain: write the profile widened to allow what was seen')
    .option('--json', 'print the report as one JSON line on stdout after the workload');
  graceOption(command)
    .argument('[command...]', 'the workload (default: the command stored in the profile)')
    .passThroughOptions()
    .action(
      action(async (argv: string[], flags: EnforceFlags) => {
        if (isContainerRun(argv)) return runContainer(argv, flags.profile, 'enforce', flags.json === true);
        // Loaded on use: start-up time is part of what `enforce`/`check` cost.
        const { enforce } = await import('../../src/enforcer/enforce.js');
        const { formatEnforce } = await import('../../src/enforcer/report.js');
        return runTraced({
          run: (common) =>
            enforce({
              ...common,
              profile: flags.profile,
              command: workloadArgv(argv),
              complain: flags.complain === true || flags.fix !== undefined,
              ...(flags.fix !== undefined ? { fix: flags.fix } : {}),
            }),
          report: formatEnforce,
          json: flags.json === true,
          grace: flags.grace,
        });
      }),
    );
}
