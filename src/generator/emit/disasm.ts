// `disasm`: a readable listing of the compiled filter (in the spirit of scmp_bpf_disasm/seccomp-tools).

import type { ValidatedProgram } from '../bpf/types.js';
import type { Policy } from '../policy/types.js';
import { compilePolicy } from '../seccomp/compile.js';
import { disassembleSeccomp } from '../seccomp/disasm.js';
import { rangeNotes } from './by-name.js';
import { provenanceComment } from './provenance.js';

/** The listing of `program`, or the policy compiled; the policy's provenance heads it. */
export function emitDisasm(policy: Policy, program: ValidatedProgram = compilePolicy(policy)): string {
  const listing = disassembleSeccomp(program);
  return `${provenanceComment(policy, ';', rangeNotes(policy, true, 'disasm'))}\n; ${program.length} instructions\n${listing.endsWith('\n') ? listing : `${listing}\n`}`;
}
