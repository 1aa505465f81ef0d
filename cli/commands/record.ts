// `profile record [-o FILE] [--quiet] [--append] [--no-pin] [--grace S] [--] <command> [args…]`
import type { Command } from 'commander';
import { exitCodeOf, releaseHungUpTerminal } from '../../src/tracer/index.js';
import { record } from '../../src/tracer/record.js';
import { statusLine, summaryText, terminalIsCanonical } from '../../src/tracer/summary.js';
import { action } from '../run.js';
import { fromThisProcess, graceOption, withInterrupt, workloadArgv } from './interrupt.js';

interface RecordFlags {
  output: string;
  quiet?: boolean;
  append?: boolean;
  pin: boolean;
  grace?: number;
}

/** `docker|podman run …`, `runc|crun …`: recorded through the container machinery (src/container). */
async function recordContainerCommand(argv: string[], flags: RecordFlags): Promise<number | undefined> {
  const { isContainerCommand, recordContainer } = await import('../../src/container/record.js');
  if (!isContainerCommand(argv)) return undefined;
  return withInterrupt(async ({ signal }) => {
    const result = await recordContainer({
      argv,
      output: flags.output,
      append: flags.append === true,
      signal,
    });
    if (!flags.quiet) process.stderr.write(summaryText(result.written, result.output));
    return result.exitCode;
  });
}

export function registerRecord(program: Command): void {
  const command = program
    .command('record')
    .description('run a command under the tracer and record every syscall it and its children make')
    .option('-o, --output <file>', 'where to write the recording', 'recording.json')
    .option('-q, --quiet', 'no status line and no summary')
    .option('-a, --append', 'merge into the output recording if it exists (counts add up, runs are kept)')
    .option(
      '--no-pin',
      'do not pin tracer and workload to one CPU (pinning is dropped anyway on a second thread)',
    );
  graceOption(command)
    .argument('<command...>', 'the workload and its arguments (everything from here on is passed through)')
    .passThroughOptions()
    .action(
      action(async (argv: string[], flags: RecordFlags) => {
        const viaContainer = await recordContainerCommand(argv, flags);
        if (viaContainer !== undefined) return viaContainer;
        const live = !flags.quiet && process.stderr.isTTY === true;
        let shown = false;
        return fromThisProcess(async ({ interrupts, inherit }) => {
          try {
            const result = await record({
              argv: workloadArgv(argv),
              output: flags.output,
              append: flags.append === true,
              pin: flags.pin,
              interrupts,
              inherit,
              ...(flags.grace === undefined ? {} : { grace: flags.grace }),
              ...(live
                ? {
                    onProgress: (p) => {
                      if (!terminalIsCanonical(2)) {
                        // A full-screen or raw-mode program owns the terminal now: stay out of its way.
                        shown = false;
                        return;
                      }
                      shown = true;
                      process.stderr.write(`\r\x1b[K${statusLine(p)}`);
                    },
                  }
                : {}),
            });
            releaseHungUpTerminal(); // after a hangup, the summary has nowhere to go
            if (shown) process.stderr.write('\r\x1b[K');
            if (!flags.quiet) process.stderr.write(summaryText(result.written, result.output));
            return exitCodeOf(result.outcome, result.interruptedBy);
          } finally {
            if (shown) process.stderr.write('\r\x1b[K');
          }
        });
      }),
    );
}
