// `profile show REC [--json]`: a recording as tables, or as JSON other tools script against.

import Table from 'cli-table3';
import type { Command } from 'commander';
import { readRecording } from '../../src/recording/io.js';
import { argumentRows, runLine, showJson } from '../../src/recording/show.js';
import { rankedSyscalls } from '../../src/tracer/summary.js';
import { escapeText } from '../../src/util/escape.js';
import { action } from '../run.js';

/** No ANSI colours: the output is often piped. */
const PLAIN = { head: [], border: [] };

export function registerShow(program: Command): void {
  program
    .command('show')
    .description(
      'print a recording: syscalls by count, by executable, argument values (--json: machine-readable)',
    )
    .argument('<recording>', 'a recording written by `profile record`')
    .option('--json', 'print {"syscalls": {arch: {name: count}}, "executables": …, "args": …} on stdout')
    .action(
      action((path: string, flags: { json?: boolean }) => {
        const rec = readRecording(path);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(showJson(rec), null, 2)}\n`);
          return 0;
        }
        const out: string[] = rec.runs.map(runLine);
        const byCount = new Table({ head: ['syscall', 'arch', 'nr', 'count'], style: PLAIN });
        for (const r of rankedSyscalls(rec)) byCount.push([escapeText(r.name), r.arch, r.nr, r.count]);
        out.push(byCount.toString());
        const byExe = new Table({ head: ['executable', 'arch', 'syscalls', 'calls'], style: PLAIN });
        for (const [exe, perArch] of Object.entries(rec.executables)) {
          for (const [arch, names] of Object.entries(perArch)) {
            const calls = Object.values(names ?? {}).reduce((a, b) => a + b, 0);
            byExe.push([escapeText(exe), arch, Object.keys(names ?? {}).length, calls]);
          }
        }
        out.push(byExe.toString());
        const args = argumentRows(rec);
        if (args.length) {
          const byArg = new Table({ head: ['syscall', 'arch', 'arguments', 'count'], style: PLAIN });
          for (const r of args) byArg.push([r.syscall, r.arch, r.values, r.count]);
          out.push(byArg.toString());
        }
        if (rec.execs.length)
          out.push(`execs: ${rec.execs.map((e) => `${escapeText(e.path)} ×${e.count}`).join(', ')}`);
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      }),
    );
}
