// `docker`: Moby profile JSON (`docker run --security-opt seccomp=FILE`; podman and containerd load it too).
import { stringifyJson } from '../../util/json.js';
import type { Policy } from '../policy/types.js';
import { assertEveryRuleNamed, rangeNotes } from './by-name.js';
import { provenanceJson } from './provenance.js';
import { toScmpProfile, widenedByName } from './seccomp-json.js';

export function emitDocker(policy: Policy): string {
  assertEveryRuleNamed(policy, 'docker');
  const notes = [...widenedByName(policy), ...rangeNotes(policy, false, 'docker')];
  return `${stringifyJson({ 'x-seccomp-profiler': provenanceJson(policy, notes), ...toScmpProfile(policy) })}\n`;
}
