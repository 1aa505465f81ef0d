#!/usr/bin/env node
// `profile`: argument parsing only. Every command is a thin layer over a library function.
import { Command, CommanderError } from 'commander';
import { EXIT } from '../src/errors.js';
import { exitWithoutTeardown } from '../src/util/hard-exit.js';
import { TOOL_VERSION } from '../src/version.js';
import { reportInternalError } from './run.js';

const program = new Command();
program
  .name('profile')
  .description('Record the syscalls a workload makes, generate a minimal seccomp allowlist, and enforce it.')
  .version(TOOL_VERSION)
  .showHelpAfterError('(run `profile --help` for usage)')
  // Options after a subcommand belong to it; `record`/`enforce` pass the workload's options through.
  .enablePositionalOptions()
  .exitOverride();

// One file per command in cli/commands/. Only the command being run is imported: start-up time is
// part of every `check` and `enforce` run, and the libraries behind other commands (zod, yaml, the
// emitters) cost more to load than a short workload takes to run.
type Register = (program: Command) => void;
const COMMANDS: Record<string, () => Promise<Register>> = {
  record: async () => (await import('./commands/record.js')).registerRecord,
  show: async () => (await import('./commands/show.js')).registerShow,
  merge: async () => (await import('./commands/merge.js')).registerMerge,
  generate: async () => (await import('./commands/generate.js')).registerGenerate,
  enforce: async () => (await import('./commands/enforce.js')).registerEnforce,
  check: async () => (await import('./commands/check.js')).registerCheck,
  diff: async () => (await import('./commands/diff.js')).registerDiff,
  inspect: async () => (await import('./commands/inspect.js')).registerInspect,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  setup: async () => (await import('./commands/setup.js')).registerSetup,
};
/**
 * True for `record --backend ebpf|auto`: the eBPF backend never uses the tracer thread (and auto
 * boots it only if it falls back to ptrace), so its ≈ 45 ms boot would be spent for nothing.
 */
function recordsInKernel(argv: readonly string[]): boolean {
  for (let i = argv.indexOf('record') + 1; i > 0 && i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('-')) return false;
    if (arg.startsWith('--backend=')) return arg !== '--backend=ptrace';
    if (arg === '--backend') return argv[i + 1] !== 'ptrace';
    if (arg === '-o' || arg === '--output' || arg === '--grace') i++;
  }
  return false;
}

async function main(): Promise<void> {
  if (process.env.XT) process.stderr.write(`T main ${process.hrtime.bigint()}\n`);
  if (process.env.XT) process.on('exit', () => process.stderr.write(`T exit ${process.hrtime.bigint()}\n`));
  const requested = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  // Boot the tracer thread while the command's modules load; not for --help, whose exit would wait
  // for it. `check` and `enforce` trace on the main thread instead (src/tracer/inline.ts).
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (['record', 'demo'].includes(requested ?? '') && !help && !recordsInKernel(process.argv)) {
    (await import('../src/tracer/warm.js')).prepareTrace();
  }
  exitWithoutTeardown();
  const selected =
    requested !== undefined && Object.hasOwn(COMMANDS, requested) ? [requested] : Object.keys(COMMANDS);
  for (const name of selected) (await COMMANDS[name]!())(program);

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message; help and version exit 0.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      throw error;
    }
  }
}

// No top-level await: the published CLI is a CommonJS bundle (scripts/bundle.mjs), which loads
// faster than an ES module graph, and CommonJS has none.
void main().catch((error: unknown) => {
  // A dependency required as a command's modules load (koffi) is not installed beside the bundle:
  // one line, not a stack trace. Anything else here is a bug, reported as commands report theirs.
  if ((error as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND') return reportInternalError(error);
  const name = /Cannot find module '([^']+)'/.exec(String((error as Error).message))?.[1];
  process.stderr.write(
    `profile: the dependency ${name ?? '(unknown)'} is not installed: run \`npm ci\` where the profiler is installed\n`,
  );
  process.exitCode = EXIT.internal;
});
