// `inspect`'s result as text: the process, each filter decompiled, and the comparison if asked.
import type { InspectResult } from './inspect.js';

/** The report `profile inspect` prints. */
export function formatInspect(r: InspectResult, container?: string): string {
  const who = container ? `container ${container} (pid ${r.pid})` : `pid ${r.pid}`;
  const lines = [
    `${who}: seccomp ${r.mode}, ${r.filters.length} filter${r.filters.length === 1 ? '' : 's'}, no_new_privs ${r.noNewPrivileges ? 'on' : 'off'}`,
  ];
  r.filters.forEach((f, i) => {
    const allowed = Object.entries(f.allowed)
      .map(([arch, names]) => `${names.length} on ${arch}`)
      .join(', ');
    lines.push(
      `  filter ${i + 1}${i === 0 ? ' (newest)' : ''}: ${f.instructions} instructions, default ${f.defaultAction}, allows ${allowed || 'nothing'}`,
    );
    if (f.approximated.length) lines.push(`    argument tests on: ${f.approximated.join(' ')}`);
  });
  if (r.against) {
    const a = r.against;
    if (a.identical)
      lines.push(`against ${a.path}: identical: the installed filters decide every syscall as it does`);
    else {
      lines.push(
        `against ${a.path}: ${a.differences.length} syscall${a.differences.length === 1 ? '' : 's'} decided differently (installed → profile):`,
      );
      for (const d of a.differences)
        lines.push(`  ~ ${d.arch} ${d.syscall}${d.args ? ` (${d.args})` : ''}: ${d.from} → ${d.to}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
