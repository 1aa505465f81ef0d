// Text the CLI prints around a recording: the live status line and the end-of-run summary.
import { ARCHES, type Arch } from '../arch/index.js';
import type { Recording } from '../recording/schema.js';
import { tcgetattr } from './libc.js';

/** One status line (no newline): elapsed time, distinct syscalls, processes. */
export function statusLine(p: { elapsedMs: number; distinctSyscalls: number; processes: number }): string {
  const secs = (p.elapsedMs / 1000).toFixed(1);
  return `recording… ${secs}s · ${p.distinctSyscalls} distinct syscalls · ${p.processes} process${p.processes === 1 ? '' : 'es'}`;
}

/** All (arch, name, count) of a recording, most frequent first. */
export function rankedSyscalls(rec: Recording): { arch: Arch; name: string; nr: number; count: number }[] {
  const rows: { arch: Arch; name: string; nr: number; count: number }[] = [];
  for (const arch of ARCHES) {
    for (const [name, { nr, count }] of Object.entries(rec.syscalls[arch] ?? {})) {
      rows.push({ arch, name, nr, count });
    }
  }
  return rows.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

/** The end-of-run summary: totals, top syscalls, processes, where the recording went. */
export function summaryText(rec: Recording, output: string, run = rec.runs[rec.runs.length - 1]): string {
  const rows = rankedSyscalls(rec);
  const calls = rows.reduce((n, r) => n + r.count, 0);
  const top = rows
    .slice(0, 8)
    .map((r) => `${r.arch === 'x86_64' ? '' : `${r.arch}:`}${r.name} ${r.count}`)
    .join(', ');
  const foreign = ARCHES.filter((a) => a !== 'x86_64' && rec.syscalls[a]);
  const ended = run?.ended ?? [];
  const partial = run?.interruptedBy
    ? `partial recording (${run.interruptedBy} was passed on to the workload${run.exit.status === 'interrupted' ? ', which was then killed' : ''})`
    : run?.exit.status === 'interrupted'
      ? 'partial recording (interrupted)'
      : ended.length
        ? 'partial recording (processes were still running)'
        : rec.partial
          ? 'partial recording (interrupted)'
          : 'recording';
  const lines = [
    ...(ended.length
      ? [
          `profile: ended ${ended.length} process(es) still running after the main process: ${ended
            .slice(0, 10)
            .map((p) => `${p.pid} ${p.executable}`)
            .join(', ')}${ended.length > 10 ? ', …' : ''}`,
        ]
      : []),
    `profile: ${rows.length} distinct syscalls (${calls} calls) from ${run?.processes ?? 0} process${run?.processes === 1 ? '' : 'es'}, ${run?.threads ?? 0} thread${run?.threads === 1 ? '' : 's'}, ${Object.keys(rec.executables).length} executable${Object.keys(rec.executables).length === 1 ? '' : 's'}${foreign.length ? ` (also ${foreign.join(', ')} calls)` : ''}`,
    `profile: top: ${top || '(none)'}`,
    `profile: ${partial} written to ${output}${rec.runs.length > 1 ? ` (${rec.runs.length} runs merged)` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

const ICANON = 0o2;
const termios = new Uint32Array(16);

/**
 * True when the terminal on `fd` is in canonical (line) mode. Full-screen and raw-mode programs
 * (editors, pagers, password prompts turn it off) must not get our status line drawn over them.
 */
export function terminalIsCanonical(fd: number): boolean {
  if (tcgetattr(fd, termios) !== 0) return false;
  return (termios[3]! & ICANON) !== 0;
}
