// Text reports of enforce, complain and check results (the CLI prints these; --json prints the objects).
import { escapeText } from '../util/escape.js';
import { formatArg, formatArgs } from './args.js';
import type { CheckResult } from './check.js';
import type { EnforceResult } from './enforce.js';
import type { Violation } from './violations.js';

/** `socket(0x2, 0x80001, 0x0, …)` for a kill, `socket domain=0x2 type=0x1` for recorded values. */
export function describeCall(v: Violation): string {
  if (v.args) return `${v.syscall}(${formatArgs(v.syscall, v.args)})`;
  if (!v.argValues?.length) return v.syscall;
  const values = v.argValues.map((a) =>
    Object.entries(a)
      .map(([k, x]) => `${k}=${formatArg(v.syscall, k, BigInt(x))}`)
      .join(' '),
  );
  return `${v.syscall} [${values.join(' | ')}]`;
}

/** Executable paths come from the workload: escaped, never raw on the terminal. */
function executables(v: Violation): string {
  return Object.keys(v.executables).map(escapeText).join(', ') || '?';
}

function table(violations: readonly Violation[]): string[] {
  const nameWidth = Math.max(8, ...violations.map((v) => v.syscall.length));
  return violations.map((v) => {
    const count = `${v.count}×`.padStart(6);
    const call = describeCall(v).slice(v.syscall.length);
    return `  ${v.arch.padEnd(6)} ${v.syscall.padEnd(nameWidth)} ${count}  ${executables(v)}${call ? `  ${call.trim()}` : ''}`;
  });
}

/** Kill and trap lines past this many are summed up in one line (--json has every one). */
const MAX_EVENT_LINES = 20;

function pids(procs: readonly { pid: number; executable: string }[]): string {
  const shown = procs.slice(0, 10).map((p) => `${p.pid} ${escapeText(p.executable)}`);
  return `${shown.join(', ')}${procs.length > shown.length ? `, … (${procs.length - shown.length} more)` : ''}`;
}

/** Lines about how the run ended that enforce and check share: a stop signal, processes left over. */
function endLines(result: Pick<EnforceResult, 'interruptedBy' | 'ended' | 'outcome'>, who: string): string[] {
  const lines: string[] = [];
  if (result.interruptedBy) {
    lines.push(
      result.outcome.status === 'interrupted'
        ? `${who}: ${result.interruptedBy}: the workload did not finish in time and was killed`
        : `${who}: ${result.interruptedBy} was passed on to the workload, which then ended by itself`,
    );
  }
  if (result.ended.length) {
    lines.push(
      `${who}: ended ${result.ended.length} process(es) still running after the main process: ${pids(result.ended)}`,
    );
  }
  return lines;
}

/** The lines `profile enforce` prints on stderr after the workload ends. */
export function formatEnforce(result: EnforceResult): string {
  const lines: string[] = [];
  const where = `${escapeText(result.profile.path)} (default ${result.profile.defaultAction})`;
  if (result.mode === 'complain') {
    const blocked = result.violations;
    if (blocked.length === 0) {
      lines.push(`profile: complain: nothing outside ${where}`);
    } else {
      lines.push(`profile: complain: ${blocked.length} syscall(s) would have been blocked by ${where}:`);
      lines.push(...table(blocked));
      lines.push(
        result.fixed
          ? `profile: wrote ${result.fixed}, widened to allow them`
          : 'profile: `--fix OUT` writes the profile widened to allow them',
      );
    }
    return `${lines.join('\n')}\n`;
  }
  const events = result.violations.filter((v) => v.kind === 'killed' || v.kind === 'trapped');
  for (const v of events.slice(0, MAX_EVENT_LINES)) {
    lines.push(
      `profile: ${v.kind === 'killed' ? 'killed' : 'trapped'} by ${escapeText(result.profile.path)}: ${v.syscall} (${v.arch} syscall ${v.nr}) in pid ${v.pid} ${executables(v)}`,
      `profile:   ${describeCall(v)}`,
    );
  }
  if (events.length > MAX_EVENT_LINES) {
    lines.push(
      `profile: … ${events.length - MAX_EVENT_LINES} more kill(s) and trap(s); --json lists every one`,
    );
  }
  const refused = result.violations.filter((v) => v.kind === 'refused');
  if (refused.length) {
    lines.push(`profile: ${refused.length} syscall(s) refused with ${result.profile.defaultAction}:`);
    lines.push(...table(refused));
  }
  lines.push(...endLines(result, 'profile'));
  if (result.killed.length) {
    const main = result.outcome.status === 'killed-by-filter';
    const what = main
      ? 'the workload'
      : `${result.killed.length} process(es) of the workload (its main process ${describeExit(result)})`;
    lines.push(
      `profile: exit ${result.exitCode}: the filter killed ${what}: pid ${pids(result.killed)} (\`--complain\` lists every missing syscall in one run)`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function describeExit(result: Pick<EnforceResult, 'outcome'>): string {
  const o = result.outcome;
  return o.status === 'exited'
    ? `exited ${o.code}`
    : o.status === 'signaled'
      ? `died of ${o.signal}`
      : o.status === 'interrupted'
        ? 'was interrupted'
        : 'was killed by the filter';
}

/** The lines `profile check` prints: drift per executable and arch, or a clean bill. */
export function formatCheck(result: CheckResult): string {
  const interrupted = result.outcome.status === 'interrupted' || result.interruptedBy !== undefined;
  const end = endLines(result, 'profile check');
  const tail = end.length ? `${end.join('\n')}\n` : '';
  if (result.clean) {
    if (interrupted) {
      return `${tail}profile check: interrupted: no syscall outside ${escapeText(result.profile.path)} before the workload was stopped (not a verdict)\n`;
    }
    const failed = result.exitCode === 0 ? '' : ` (the workload itself ended with exit ${result.exitCode})`;
    return `${tail}profile check: clean: no syscall outside ${escapeText(result.profile.path)}${failed}\n`;
  }
  const lines = [
    ...end,
    `profile check: drift: ${result.drift.length} syscall(s) outside ${escapeText(result.profile.path)}${interrupted ? ' (before the workload was interrupted)' : ''}`,
  ];
  const byExe = new Map<string, string[]>();
  for (const v of result.drift) {
    for (const [exe, n] of Object.entries(v.executables)) {
      const list = byExe.get(escapeText(exe)) ?? [];
      list.push(`    ${v.arch.padEnd(6)} ${describeCall(v)}  ${n}×`);
      byExe.set(escapeText(exe), list);
    }
  }
  for (const [exe, list] of byExe) lines.push(`  ${exe}`, ...list);
  lines.push(
    result.updated
      ? `profile check: updated ${escapeText(result.profile.path)} to allow them`
      : 'profile check: `--update` widens the profile to allow them',
  );
  return `${lines.join('\n')}\n`;
}
