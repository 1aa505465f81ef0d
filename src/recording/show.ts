// What `profile show` prints: the `--json` shape (other tools script against it: keep `syscalls` as
// is) and the text lines, with recorded argument values named as the enforcer names them and
// every string copied from the recording escaped for the terminal.
import { formatArg } from '../arch/arg-values.js';
import { ARCHES, type Arch } from '../arch/index.js';
import { decodeSurrogateEscape, escapeText } from '../util/escape.js';
import { shellCommand, shellQuote } from '../util/shell-quote.js';
import type { Recording, RecordingRun } from './schema.js';

/** One recorded argument: its raw value and the constant name (or hex when unknown). */
export interface ShownArg {
  readonly value: number;
  readonly name: string;
}

/** The distinct argument values of one syscall on one arch. */
export interface ShownArgValues {
  /** How often each tuple was seen, with its fields (`domain`, `type`, `request`, …). */
  readonly values: readonly { readonly count: number; readonly fields: Readonly<Record<string, ShownArg>> }[];
  /** More distinct values were seen than a recording keeps: the list is incomplete. */
  readonly truncated: boolean;
}

export interface ShowJson {
  /** arch → syscall name → count. */
  readonly syscalls: Partial<Record<Arch, Record<string, number>>>;
  /** executable → arch → syscall name → count. */
  readonly executables: Recording['executables'];
  readonly execs: Recording['execs'];
  readonly partial: boolean;
  readonly runs: Recording['runs'];
  /** arch → syscall name → recorded argument values, named. */
  readonly args: Partial<Record<Arch, Record<string, ShownArgValues>>>;
}

/** The recorded argument values, named (`AF_INET`, `F_DUPFD_CLOEXEC`, `TCGETS`). */
export function shownArgs(rec: Recording): Partial<Record<Arch, Record<string, ShownArgValues>>> {
  const out: Partial<Record<Arch, Record<string, ShownArgValues>>> = {};
  for (const arch of ARCHES) {
    const names = rec.args[arch];
    if (!names) continue;
    const perArch: Record<string, ShownArgValues> = {};
    for (const [syscall, bucket] of Object.entries(names)) {
      perArch[syscall] = {
        truncated: bucket.truncated,
        values: bucket.values.map((tuple) => {
          const fields: Record<string, ShownArg> = {};
          for (const [field, value] of Object.entries(tuple)) {
            if (field !== 'count') fields[field] = { value, name: formatArg(syscall, field, BigInt(value)) };
          }
          return { count: tuple.count ?? 0, fields };
        }),
      };
    }
    out[arch] = perArch;
  }
  return out;
}

/** Per-arch syscall names with counts, plus the per-executable view, provenance and argument values. */
export function showJson(rec: Recording): ShowJson {
  const syscalls: Partial<Record<Arch, Record<string, number>>> = {};
  for (const [arch, names] of Object.entries(rec.syscalls) as [Arch, Record<string, { count: number }>][]) {
    syscalls[arch] = Object.fromEntries(Object.entries(names).map(([name, { count }]) => [name, count]));
  }
  return {
    syscalls,
    executables: rec.executables,
    execs: rec.execs,
    partial: rec.partial,
    runs: rec.runs,
    args: shownArgs(rec),
  };
}

/**
 * The run's argv and cwd as exact strings: from `commandBytes`/`cwdBytes` (base64, present when
 * they are not UTF-8), with the bytes that are not UTF-8 as surrogateescape.
 */
function exactWords(run: RecordingRun): { command: readonly string[]; cwd: string } {
  const decode = (b64: string) => decodeSurrogateEscape(Buffer.from(b64, 'base64'));
  const command =
    run.commandBytes?.length === run.command.length ? run.commandBytes.map(decode) : run.command;
  return { command, cwd: run.cwdBytes !== undefined ? decode(run.cwdBytes) : run.cwd };
}

/** `run: CMD  (cwd DIR, …)`: the command and cwd shell-quoted, so that they can be pasted. */
export function runLine(run: RecordingRun): string {
  const { command, cwd } = exactWords(run);
  const exit =
    run.exit.status === 'exited'
      ? `exit ${run.exit.code}`
      : run.exit.status === 'signaled'
        ? `killed by ${escapeText(run.exit.signal)}`
        : 'interrupted';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`;
  return `run: ${shellCommand(command)}  (cwd ${shellQuote(cwd)}, ${escapeText(run.startedAt)}, ${exit}, ${plural(run.processes, 'process')}, ${run.threads} thread${run.threads === 1 ? '' : 's'}${run.partial ? ', partial' : ''})`;
}

/** Rows of the argument table: arch, syscall, `domain=AF_INET type=SOCK_STREAM`, count. */
export function argumentRows(
  rec: Recording,
): { arch: Arch; syscall: string; values: string; count: string }[] {
  const rows: { arch: Arch; syscall: string; values: string; count: string }[] = [];
  for (const [arch, names] of Object.entries(shownArgs(rec)) as [Arch, Record<string, ShownArgValues>][]) {
    for (const [syscall, shown] of Object.entries(names).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const name = escapeText(syscall);
      for (const v of shown.values) {
        const text = Object.entries(v.fields)
          .map(([field, arg]) => `${escapeText(field)}=${arg.name}`)
          .join(' ');
        // clone3 passes its flags in memory seccomp cannot read: only the calls are counted.
        rows.push({
          arch,
          syscall: name,
          values: text || '(no argument seccomp can read)',
          count: String(v.count),
        });
      }
      if (shown.truncated)
        rows.push({ arch, syscall: name, values: '… more values than a recording keeps', count: '' });
    }
  }
  return rows;
}
