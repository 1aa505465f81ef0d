// Docker/Moby seccomp profile JSON (also what podman and containerd load) → Policy.

import { parseJson } from '../../util/json.js';
import type { GenerateOptions } from '../policy/options.js';
import type { Policy } from '../policy/types.js';
import { policyFromSeccompJson } from './seccomp-json.js';

/**
 * Parses a Docker profile. includes/excludes are evaluated against `opts.caps` (default: Docker's
 * default capabilities), the target arches and `opts.kernel` (default: the running kernel).
 */
export function parseDockerProfile(text: string, source: string, opts: GenerateOptions): Policy {
  return policyFromSeccompJson(parseJson(text, source), source, opts, 'docker').policy;
}
