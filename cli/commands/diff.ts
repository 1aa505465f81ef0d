// `profile diff A B`: syscalls and argument rules added or removed, per arch.
import type { Command } from 'commander';
import { escapeText } from '../../src/util/escape.js';
import { action } from '../run.js';
import { jsonPretty } from './json.js';

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('compare two profiles or recordings of any format (exit 0 when equal, 1 when they differ)')
    .argument('<a>', 'the old profile, filter or recording')
    .argument('<b>', 'the new one')
    .option('--json', 'print the diff as JSON')
    .action(
      action(async (a: string, b: string, flags: { json?: boolean }) => {
        const { formatDiff } = await import('../../src/enforcer/diff.js');
        const { diff } = await import('../../src/enforcer/inspect.js');
        const result = await diff(a, b);
        process.stdout.write(
          flags.json ? jsonPretty(result) : formatDiff(result, { a: escapeText(a), b: escapeText(b) }),
        );
        return result.identical ? 0 : 1;
      }),
    );
}
