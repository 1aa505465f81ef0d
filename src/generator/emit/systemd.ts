// `systemd`: a unit drop-in with SystemCallFilter= and SystemCallArchitectures=.
// systemd filters by name only: what it cannot say is written down in comments, never dropped silently.
import { errnoText } from '../../arch/errno.js';
import { formatAction } from '../policy/describe-options.js';
import type { Policy } from '../policy/types.js';
import { assertEveryRuleNamed, rangeNotes } from './by-name.js';
import { provenanceComment } from './provenance.js';
import { widenedByName } from './seccomp-json.js';

const SYSTEMD_ARCH = { x86_64: 'x86-64', i386: 'x86', x32: 'x32', aarch64: 'arm64' } as const;

function wrap(prefix: string, words: readonly string[], width = 100): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const w of words) {
    if (line.length + w.length + 1 > width && line !== prefix) {
      lines.push(line);
      line = prefix;
    }
    line += line === prefix ? w : ` ${w}`;
  }
  if (line !== prefix) lines.push(line);
  return lines;
}

export function emitSystemd(policy: Policy): string {
  assertEveryRuleNamed(policy, 'systemd');
  const allowed = new Set<string>();
  const conditional = new Set<string>();
  const other = new Map<string, string>();
  for (const arch of policy.arches) {
    for (const rule of policy.rules[arch] ?? []) {
      if (rule.action.kind === 'allow') {
        allowed.add(rule.syscall);
        if (rule.conditions.length) conditional.add(rule.syscall);
      } else {
        other.set(rule.syscall, formatAction(rule.action));
      }
    }
  }
  for (const name of allowed) other.delete(name);
  const notes = [...widenedByName(policy), ...rangeNotes(policy, false, 'systemd')];
  const out: string[] = [provenanceComment(policy, '#', notes)];
  out.push(
    '#',
    '# Install as /etc/systemd/system/UNIT.service.d/seccomp.conf, then `systemctl daemon-reload`',
    '# and restart the unit. systemd sets NoNewPrivileges itself unless the unit has CAP_SYS_ADMIN.',
  );
  if (conditional.size) {
    out.push(
      '#',
      '# systemd cannot express argument conditions: these syscalls are allowed with ANY arguments here,',
      '# although the profile only allows some values (use the bpf or libseccomp output to keep them):',
      ...wrap('#   ', [...conditional].sort()),
    );
  }
  if (other.size) {
    out.push(
      '#',
      '# An allow list cannot give single syscalls their own action; these get the default action below:',
      ...wrap(
        '#   ',
        [...other].sort().map(([n, a]) => `${n}=${a}`),
      ),
    );
  }
  const def = policy.defaultAction;
  let errno = '';
  if (def.kind === 'errno') errno = `SystemCallErrorNumber=${errnoText(def.errno)}`;
  else if (def.kind !== 'kill-process')
    out.push(
      '#',
      `# The profile's default action is ${formatAction(def)}; systemd can only kill the process (SIGSYS)`,
      '# or return an errno, so calls outside the list kill the process here.',
    );
  if (def.kind === 'log')
    out.push('#', '# Default action log: systemd logs and allows everything not listed (SystemCallLog=).');
  out.push('', '[Service]');
  out.push(`SystemCallArchitectures=${policy.arches.map((a) => SYSTEMD_ARCH[a]).join(' ')}`);
  // Default log: nothing is filtered; SystemCallLog=~LIST logs every call except the listed ones.
  if (def.kind === 'log') out.push(...wrap('SystemCallLog=~', [...allowed].sort()));
  else {
    out.push(...wrap('SystemCallFilter=', [...allowed].sort()));
    if (errno) out.push(errno);
  }
  return `${out.join('\n')}\n`;
}
