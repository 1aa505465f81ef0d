// `k8s`: a security-profiles-operator SeccompProfile (security-profiles-operator.x-k8s.io/v1beta1).
// Field names follow api/seccompprofile/v1beta1/seccompprofile_types.go; errnoRet is a string there.
import { stringify } from 'yaml';
import { stringifyJsonAscii } from '../../util/json.js';
import type { Policy } from '../policy/types.js';
import { assertEveryRuleNamed, rangeNotes } from './by-name.js';
import { provenanceComment, provenanceJson } from './provenance.js';
import { toScmpProfile, widenedByName } from './seccomp-json.js';

/** A DNS-1123 name for metadata.name, from the recorded command when there is one. */
function profileName(policy: Policy): string {
  const cmd = policy.provenance?.command?.[0];
  const base = cmd ? (cmd.split('/').pop() ?? 'profile') : 'profile';
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (name || 'profile').slice(0, 63);
}

export function emitK8s(policy: Policy): string {
  assertEveryRuleNamed(policy, 'k8s');
  const scmp = toScmpProfile(policy);
  const notes = [...widenedByName(policy), ...rangeNotes(policy, false, 'k8s')];
  const prov = provenanceJson(policy, notes);
  const doc = {
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    kind: 'SeccompProfile',
    metadata: {
      name: profileName(policy),
      // ASCII-only JSON: YAML 1.1 readers (go-yaml, PyYAML) take a raw NEL or U+2028 for a line break.
      annotations: { 'seccomp-profiler/provenance': stringifyJsonAscii(prov) },
    },
    spec: {
      defaultAction: scmp.defaultAction,
      architectures: scmp.architectures,
      syscalls: scmp.syscalls.map((s) => ({
        action: s.action,
        names: s.names,
        ...(s.errnoRet !== undefined ? { errnoRet: String(s.errnoRet) } : {}),
        ...(s.args ? { args: s.args } : {}),
      })),
    },
  };
  const errno =
    scmp.defaultErrnoRet !== undefined
      ? `# The default action returns errno ${scmp.defaultErrnoRet}: SeccompProfile has no defaultErrnoRet, so runtimes use EPERM.\n`
      : '';
  return `${provenanceComment(policy, '#', notes)}\n${errno}${stringify(doc, { lineWidth: 0 })}`;
}
