// The lines `profile enforce|check -- docker|podman run …` print after the container ends.
import { formatArgs } from '../enforcer/args.js';
import { escapeText } from '../util/escape.js';
import type { ContainerEnforceResult } from './enforce.js';
import { describeContainerViolation } from './explain.js';

export function formatContainerResult(result: ContainerEnforceResult): string {
  const lines: string[] = [];
  const rt = result.runtime
    ? ` (${result.runtime.name} ${result.runtime.version}, NNP ${result.runtime.noNewPrivileges ? 'on' : 'off'})`
    : '';
  const via = result.source === 'audit' ? ' [from the kernel audit log: the container was not traced]' : '';
  const tag = result.mode === 'check' ? 'profile check' : 'profile';
  if (result.violations.length === 0) {
    lines.push(
      result.mode === 'check'
        ? `${tag}: clean: the ${result.engine} container made no syscall outside ${result.profile}${rt}`
        : `${tag}: the ${result.engine} container ran under ${result.profile}${rt} with nothing blocked${via}`,
    );
    return `${lines.join('\n')}\n`;
  }
  for (const v of result.violations) {
    lines.push(`${tag}: ${describeContainerViolation(v)}`);
    if (v.args?.length) lines.push(`${tag}:   ${v.syscall}(${formatArgs(v.syscall, v.args)})`);
  }
  if (via) lines.push(`${tag}:${via}`);
  if (result.updated) lines.push(`${tag}: updated ${escapeText(result.profile)} to allow them`);
  if (result.mode === 'enforce' && result.violations.some((v) => v.role === 'runtime')) {
    lines.push(
      `${tag}: (${result.engine} reports a runtime killed this way as "cannot start a stopped process" or an attach failure)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
