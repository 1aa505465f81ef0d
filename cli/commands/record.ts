// `profile record [-o FILE] [--quiet] [--append] [--no-pin] [--grace S] [--backend B] [--] <command> [args…]`
import { type Command, Option } from 'commander';
import { exitCodeOf, releaseHungUpTerminal } from '../../src/tracer/index.js';
import { BACKENDS, type Backend, record } from '../../src/tracer/record.js';
import { statusLine, summaryText, terminalIsCanonical } from '../../src/tracer/summary.js';
import { action } from '../run.js';
import { fromThisProcess, graceOption, withInterrupt, workloadArgv } from './interrupt.js';

interface RecordFlags {
  output: string;
  quiet?: boolean;
  append?: boolean;
  pin: boolean;
  grace?: number;
  backend: Backend;
}

/** What `--backend auto` says it used: eBPF, or ptrace and why not eBPF. */
function autoLine(backend: 'ptrace' | 'ebpf', fallbackReason: string | undefined): string {
  return fallbackReason === undefined
    ? `profile: recorded with the ${backend} backend\n`
    : `profile: recorded with the ptrace backend (${fallbackReason})\n`;
}

/** `docker|podman run …`, `runc|crun …`: recorded through the container machinery (src/container). */
async function recordContainerCommand(argv: string[], flags: RecordFlags): Promise<number | undefined> {
  // The command line is read with the light parser first: the container recorder's modules cost
  // every other `record` ≈ 80 ms of start-up to load.
  const { parseEngineCommand } = await import('../../src/container/engine.js');
  if (parseEngineCommand(argv) === undefined) return undefined;
  const { containerBackend, recordContainer } = await import('../../src/container/record.js');
  const { backend, fallbackReason } = await containerBackend(flags.backend);
  return withInterrupt(async ({ signal }) => {
    const result = await recordContainer({
      argv,
      output: flags.output,
      append: flags.append === true,
      signal,
      backend,
    });
    if (flags.backend === 'auto') process.stderr.write(autoLine(backend, fallbackReason));
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
    )
    .addOption(
      new Option('--backend <name>', 'ptrace (rootless), ebpf (root: in-kernel, near native speed) or auto')
        .choices(BACKENDS)
        .default('ptrace'),
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
              backend: flags.backend,
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
            if (flags.backend === 'auto')
              process.stderr.write(autoLine(result.backend, result.fallbackReason));
            if (!flags.quiet) process.stderr.write(summaryText(result.written, result.output));
            return exitCodeOf(result.outcome, result.interruptedBy);
          } finally {
            if (shown) process.stderr.write('\r\x1b[K');
          }
        });
      }),
    );
}
