// `bpf`: the raw filter, an array of 8-byte little-endian struct sock_filter (`bwrap --seccomp FD`).
import { encodeProgram } from '../bpf/encode.js';
import type { ValidatedProgram } from '../bpf/types.js';
import type { Policy } from '../policy/types.js';
import { compilePolicy } from '../seccomp/compile.js';

/** Raw bytes (`program`, or the policy compiled); there is no room for provenance in this format. */
export function emitBpf(policy: Policy, program: ValidatedProgram = compilePolicy(policy)): Uint8Array {
  return encodeProgram(program);
}
