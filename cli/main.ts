#!/usr/bin/env node
// `profile`: argument parsing only. Every command is a thin layer over a library function.
import { Command, CommanderError } from 'commander';
import { EXIT } from '../src/errors.js';
import { TOOL_VERSION } from '../src/version.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerEnforce } from './commands/enforce.js';
import { registerGenerate } from './commands/generate.js';
import { registerLint } from './commands/lint.js';
import { registerMerge } from './commands/merge.js';
import { registerRecord } from './commands/record.js';
import { registerShow } from './commands/show.js';

const program = new Command();
program
  .name('profile')
  .description('Record the syscalls a workload makes, generate a minimal seccomp allowlist, and enforce it.')
  .version(TOOL_VERSION)
  .showHelpAfterError('(run `profile --help` for usage)')
  // Options after a subcommand belong to it; `record`/`enforce` pass the workload's options through.
  .enablePositionalOptions()
  .exitOverride();

// Commands register themselves here (one file per command in cli/commands/).
registerGenerate(program);
registerRecord(program);
registerShow(program);
registerMerge(program);
registerEnforce(program);
registerCheck(program);
registerDiff(program);
registerLint(program);
registerDemo(program);

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
