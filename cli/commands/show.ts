// `profile show REC [--json]`: a recording as tables, or as JSON other tools script against.

import Table from 'cli-table3';
import type { Command } from 'commander';
import { readRecording } from '../../src/recording/io.js';
import { showJson } from '../../src/recording/show.js';
import { rankedSyscalls } from '../../src/tracer/summary.js';
import { action } from '../run.js';

/** No ANSI colours: the output is often piped. */
const PLAIN = { head: [], border: [] };

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('print a recording: syscalls by count, by executable (--json: machine-readable)')
    .argument('<recording>', 'a recording written by `profile record`')
    .option('--json', 'print {"syscalls": {arch: {name: count}}, "executables": …} on stdout')
    .action(
      action((path: string, flags: { json?: boolean }) => {
        const rec = readRecording(path);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(showJson(rec), null, 2)}\n`);
          return 0;
        }
        const out: string[] = [];
        for (const run of rec.runs) {
          const exit =
            run.exit.status === 'exited'
              ? `exit ${run.exit.code}`
              : run.exit.status === 'signaled'
                ? `killed by ${run.exit.signal}`
                : 'interrupted';
          out.push(
            `run: ${run.command.join(' ')}  (cwd ${run.cwd}, ${run.startedAt}, ${exit}, ${run.processes} processes, ${run.threads} threads${run.partial ? ', partial' : ''})`,
          );
        }
        const byCount = new Table({ head: ['syscall', 'arch', 'nr', 'count'], style: PLAIN });
        for (const r of rankedSyscalls(rec)) byCount.push([r.name, r.arch, r.nr, r.count]);
        out.push(byCount.toString());
        const byExe = new Table({ head: ['executable', 'arch', 'syscalls', 'calls'], style: PLAIN });
        for (const [exe, perArch] of Object.entries(rec.executables)) {
          for (const [arch, names] of Object.entries(perArch)) {
            const calls = Object.values(names ?? {}).reduce((a, b) => a + b, 0);
            byExe.push([exe, arch, Object.keys(names ?? {}).length, calls]);
          }
        }
        out.push(byExe.toString());
        if (rec.execs.length) out.push(`execs: ${rec.execs.map((e) => `${e.path} ×${e.count}`).join(', ')}`);
        process.stdout.write(`${out.join('\n')}\n`);
        return 0;
      }),
    );
}
