// OCI runtime-spec `linux.seccomp` (a whole config.json or just the seccomp object) → Policy.
import { ProfilerError } from '../../errors.js';
import { type JsonValue, parseJson } from '../../util/json.js';
import type { GenerateOptions } from '../policy/options.js';
import type { Policy } from '../policy/types.js';
import { type ProfileMeta, policyFromSeccompJson } from './seccomp-json.js';

/** The seccomp object inside a config.json, or the value itself when it is not a config.json. */
export function ociSeccompObject(doc: JsonValue, source: string): JsonValue {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && typeof doc !== 'bigint') {
    if ('ociVersion' in doc || 'linux' in doc) {
      const linux = doc.linux;
      const seccomp =
        typeof linux === 'object' && linux !== null && !Array.isArray(linux) && typeof linux !== 'bigint'
          ? linux.seccomp
          : undefined;
      if (seccomp === undefined || seccomp === null)
        throw new ProfilerError('BAD_INPUT', `${source}: this config.json has no linux.seccomp`);
      return seccomp;
    }
  }
  return doc;
}

/** Parses OCI seccomp JSON with its metadata. */
export function parseOciSeccompWithMeta(
  text: string,
  source: string,
  opts: GenerateOptions,
): { policy: Policy; meta?: ProfileMeta } {
  const doc = parseJson(text, source);
  const result = policyFromSeccompJson(ociSeccompObject(doc, source), source, opts, 'oci');
  // A whole config.json may carry our provenance at its top level too.
  if (
    !result.meta &&
    typeof doc === 'object' &&
    doc !== null &&
    !Array.isArray(doc) &&
    typeof doc !== 'bigint'
  ) {
    const outer = policyFromSeccompJson(
      { defaultAction: 'SCMP_ACT_ALLOW', 'x-seccomp-profiler': doc['x-seccomp-profiler'] ?? null },
      source,
      opts,
      'oci',
    );
    if (outer.meta) return { policy: result.policy, meta: outer.meta };
  }
  return result;
}

/** Parses OCI `linux.seccomp` JSON into a Policy. */
export function parseOciSeccomp(text: string, source: string, opts: GenerateOptions): Policy {
  return parseOciSeccompWithMeta(text, source, opts).policy;
}
