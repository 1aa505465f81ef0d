// `bpf`: the raw filter, an array of 8-byte little-endian struct sock_filter (`bwrap --seccomp FD`).
import { encodeProgram } from '../bpf/encode.js';
import type { Policy } from '../policy/types.js';
import { compilePolicy } from '../seccomp/compile.js';

/** Raw bytes; there is no room for provenance in this format. */
export function emitBpf(policy: Policy): Uint8Array {
  return encodeProgram(compilePolicy(policy));
}
