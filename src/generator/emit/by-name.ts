// What formats that allow syscalls by name (docker, oci, k8s, systemd) cannot carry, said once for
// all of them: a rule for a number without a name is an error (the profile would be narrower than
// the recording), number ranges (ENOSYS above the syscall table) are a note.
import { type Arch, highestSyscallNumber, syscallName } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { formatAction } from '../policy/describe-options.js';
import { isPermissive, type Policy, sameAction } from '../policy/types.js';

/** Formats that carry syscall numbers, and so the rules a by-name format refuses. */
export const NUMBER_FORMATS = 'bpf, bpf-c, disasm or libseccomp';

function hex(nr: number): string {
  return nr >= 0x10000 ? `0x${nr.toString(16)}` : String(nr);
}

/**
 * Throws ProfilerError('BAD_INPUT', exit 65) when `policy` has a rule for a number its ABI's table
 * does not name (recorded by number) whose action differs from the default, or a range of numbers
 * it allows: `format` names syscalls, so it would give those numbers the default action.
 */
export function assertEveryRuleNamed(policy: Policy, format: string): void {
  const unnamed: string[] = [];
  for (const arch of policy.arches) {
    for (const rule of policy.rules[arch] ?? []) {
      if (syscallName(arch, rule.nr) === rule.syscall) continue;
      if (sameAction(rule.action, policy.defaultAction)) continue;
      const entry = `${arch} ${hex(rule.nr)} (${formatAction(rule.action)})`;
      if (!unnamed.includes(entry)) unnamed.push(entry);
    }
    for (const range of policy.ranges?.[arch] ?? [])
      if (isPermissive(range.action))
        unnamed.push(`${arch} ${hex(range.lo)}–${hex(range.hi)} (${formatAction(range.action)})`);
  }
  if (!unnamed.length) return;
  throw new ProfilerError(
    'BAD_INPUT',
    `syscall number${unnamed.length > 1 ? 's' : ''} without a name: ${unnamed.join(', ')}. ` +
      `A ${format} profile allows syscalls by name only, so it would refuse ${unnamed.length > 1 ? 'them' : 'it'}; ` +
      `use --format ${NUMBER_FORMATS}, which ${unnamed.length > 1 ? 'carry them' : 'carries it'} by number`,
  );
}

function describeRanges(policy: Policy, arch: Arch): string | undefined {
  const ranges = (policy.ranges?.[arch] ?? []).filter(
    (r) => !sameAction(r.action, policy.defaultAction) && !isPermissive(r.action),
  );
  if (!ranges.length) return undefined;
  const actions = [...new Set(ranges.map((r) => formatAction(r.action)))].join(', ');
  return `${arch} > ${hex(highestSyscallNumber(arch))} (${actions})`;
}

/**
 * The note a format writes about policy.ranges: kept (`expresses`), or given the default action
 * because the format names syscalls or adds rules one number at a time.
 */
export function rangeNotes(policy: Policy, expresses: boolean, format: string): string[] {
  const described = policy.arches.map((a) => describeRanges(policy, a)).filter((d) => d !== undefined);
  if (!described.length) return [];
  const what = `numbers above the syscall table (syscalls newer than it): ${described.join(', ')}`;
  return expresses
    ? [what]
    : [`${what}; not here: a ${format} profile cannot express ranges of numbers (the bpf format can)`];
}
