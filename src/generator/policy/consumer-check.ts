// Names a consumer's libseccomp would skip without a word (docker-library/official-images#16829):
// a runtime built with libseccomp 2.5.4 does not know fchmodat2 (2.5.5), so a profile that allows it
// still refuses it there, with the default action, and the workload dies.
import {
  type Arch,
  LIBSECCOMP_NEWEST_RELEASE,
  type LibseccompVersion,
  libseccompFirstRelease,
  syscallName,
} from '../../arch/index.js';
import {
  type Consumer,
  consumerOfSystemLibrary,
  consumerOfVersion,
  installedRuntimes,
} from '../../consumers/consumers.js';
import { formatAction } from './describe-options.js';
import { isPermissive, type Policy, sameAction } from './types.js';

/** One consumer's skipped names: a warning when it skips allowed syscalls, else a note. */
export interface ConsumerFinding {
  readonly severity: 'warning' | 'note';
  readonly consumer: string;
  readonly syscalls: readonly string[];
  readonly message: string;
}

/** "fchmodat2 needs libseccomp ≥ 2.5.5, mseal ≥ 2.5.6 (x32)": the release each name needs, and where. */
function describeNeeds(skipped: ReadonlyMap<string, readonly Arch[]>, arches: readonly Arch[]): string {
  const parts = [...skipped.keys()].sort().map((name, i) => {
    const on = skipped.get(name)!;
    const first = on.map((a) => libseccompFirstRelease(a, name)).find((r) => r !== undefined);
    const release = first ? `≥ ${first}` : `newer than ${LIBSECCOMP_NEWEST_RELEASE}`;
    const where = on.length < arches.length ? ` (${on.join(', ')})` : '';
    return `${name}${i === 0 ? ' needs libseccomp' : ''} ${release}${where}`;
  });
  return parts.join(', ');
}

/**
 * Per consumer, the named rules of `policy` it would skip, and so give the default action: allowed
 * syscalls (a warning: the workload dies, or fails, when it makes them) and other actions such as
 * ENOSYS for newer syscalls (a note).
 */
export function consumerFindings(policy: Policy, consumers: readonly Consumer[]): ConsumerFinding[] {
  const out: ConsumerFinding[] = [];
  const def = formatAction(policy.defaultAction);
  const fate = /^kill/.test(policy.defaultAction.kind) ? 'dies' : 'fails';
  for (const consumer of consumers) {
    const skipped = { allowed: new Map<string, Arch[]>(), other: new Map<string, Arch[]>() };
    for (const arch of policy.arches) {
      for (const rule of policy.rules[arch] ?? []) {
        if (syscallName(arch, rule.nr) !== rule.syscall) continue; // by number: no name to skip
        if (sameAction(rule.action, policy.defaultAction)) continue;
        if (consumer.knows(arch, rule.syscall) !== false) continue;
        const bucket = isPermissive(rule.action) ? skipped.allowed : skipped.other;
        const arches = bucket.get(rule.syscall) ?? [];
        if (!arches.includes(arch)) arches.push(arch);
        bucket.set(rule.syscall, arches);
      }
    }
    if (skipped.allowed.size) {
      out.push({
        severity: 'warning',
        consumer: consumer.name,
        syscalls: [...skipped.allowed.keys()].sort(),
        message:
          `${describeNeeds(skipped.allowed, policy.arches)}; ${consumer.label} skips ${skipped.allowed.size > 1 ? 'them' : 'it'}, ` +
          `so the profile's allow gives way to the default action ${def} and the workload ${fate} when it makes ${skipped.allowed.size > 1 ? 'them' : 'it'}`,
      });
    }
    if (skipped.other.size) {
      out.push({
        severity: 'note',
        consumer: consumer.name,
        syscalls: [...skipped.other.keys()].sort(),
        message:
          `${describeNeeds(skipped.other, policy.arches)}; ${consumer.label} skips ${skipped.other.size > 1 ? 'their rules' : 'its rule'} ` +
          `(not an allow: ENOSYS for a newer syscall, or another errno), so the default action ${def} applies instead`,
      });
    }
  }
  return out;
}

/** Which libseccomp to check a profile against: detect it, none, or a version (the release table). */
export type LibseccompTarget = 'auto' | 'none' | LibseccompVersion;

/** Who reads a format's names: container runtimes (docker, oci, k8s) or the system library (systemd, C). */
export type NameReaders = 'runtimes' | 'system';

/**
 * The consumers to check a profile for: `target` as a version, or with 'auto' the runtimes installed
 * here (runc, crun) or the system's libseccomp. `unknown` names runtimes whose libseccomp cannot be
 * told (a static build that does not print its version).
 */
export function consumersFor(
  readers: NameReaders,
  target: LibseccompTarget,
): { consumers: readonly Consumer[]; unknown: readonly string[] } {
  if (target === 'none') return { consumers: [], unknown: [] };
  if (target !== 'auto') return { consumers: [consumerOfVersion(target)], unknown: [] };
  if (readers === 'runtimes') return installedRuntimes();
  const system = consumerOfSystemLibrary("the system's libseccomp");
  return { consumers: system ? [system] : [], unknown: [] };
}

/** Warnings and notes for `policy` read by `readers`, as one line each. */
export function checkConsumers(
  policy: Policy,
  readers: NameReaders,
  target: LibseccompTarget,
): { warnings: string[]; notes: string[] } {
  const { consumers, unknown } = consumersFor(readers, target);
  const findings = consumerFindings(policy, consumers);
  return {
    warnings: findings.filter((f) => f.severity === 'warning').map((f) => f.message),
    notes: [
      ...findings.filter((f) => f.severity === 'note').map((f) => f.message),
      ...unknown.map(
        (name) =>
          `${name} does not say which libseccomp it uses: give --libseccomp VERSION to check its names`,
      ),
    ],
  };
}
