// `profile lint P`: flag dangerous allowances, one line each; `--strict` makes findings fail.
import type { Command } from 'commander';
import { EXIT } from '../../src/errors.js';
import { escapeText } from '../../src/util/escape.js';
import { parseLibseccompTarget } from '../flags.js';
import { action } from '../run.js';
import { jsonPretty } from './json.js';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('flag dangerous allowances in a profile, filter or recording')
    .argument('<profile>', 'Docker/OCI JSON, raw .bpf or a recording')
    .option('--strict', 'exit 1 when anything is found')
    .option('--json', 'print the findings as JSON')
    .option(
      '--libseccomp <version>',
      "check names against the libseccomp of this version (e.g. 2.5.4), 'auto' (runc/crun installed here) or 'none'",
      'auto',
    )
    .action(
      action(async (profile: string, flags: { strict?: boolean; json?: boolean; libseccomp: string }) => {
        const libseccomp = parseLibseccompTarget(flags.libseccomp);
        const { formatFindings, isProblem } = await import('../../src/enforcer/lint.js');
        const { lint } = await import('../../src/enforcer/inspect.js');
        const findings = await lint(profile, { libseccomp });
        process.stdout.write(
          flags.json ? jsonPretty(findings) : formatFindings(findings, escapeText(profile)),
        );
        return flags.strict && findings.some(isProblem) ? EXIT.failure : EXIT.ok;
      }),
    );
}
