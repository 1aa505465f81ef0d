// `profile lint P`: flag dangerous allowances, one line each; `--strict` makes findings fail.
import type { Command } from 'commander';
import { EXIT } from '../../src/errors.js';
import { escapeText } from '../../src/util/escape.js';
import { action } from '../run.js';
import { jsonPretty } from './json.js';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('flag dangerous allowances in a profile, filter or recording')
    .argument('<profile>', 'Docker/OCI JSON, raw .bpf or a recording')
    .option('--strict', 'exit 1 when anything is found')
    .option('--json', 'print the findings as JSON')
    .action(
      action(async (profile: string, flags: { strict?: boolean; json?: boolean }) => {
        const { formatFindings } = await import('../../src/enforcer/lint.js');
        const { lint } = await import('../../src/enforcer/inspect.js');
        const findings = await lint(profile);
        process.stdout.write(
          flags.json ? jsonPretty(findings) : formatFindings(findings, escapeText(profile)),
        );
        return flags.strict && findings.length > 0 ? EXIT.failure : EXIT.ok;
      }),
    );
}
