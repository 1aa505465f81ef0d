// `oci`: the runtime-spec `linux.seccomp` object, to paste into config.json under "linux".
import { stringifyJson } from '../../util/json.js';
import type { Policy } from '../policy/types.js';
import { assertEveryRuleNamed, rangeNotes } from './by-name.js';
import { provenanceJson } from './provenance.js';
import { toScmpProfile, widenedByName } from './seccomp-json.js';

export function emitOci(policy: Policy): string {
  assertEveryRuleNamed(policy, 'oci');
  const notes = [...widenedByName(policy), ...rangeNotes(policy, false, 'oci')];
  return `${stringifyJson({ 'x-seccomp-profiler': provenanceJson(policy, notes), ...toScmpProfile(policy) })}\n`;
}
