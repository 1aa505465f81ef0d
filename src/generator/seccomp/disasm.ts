// The listing of a seccomp filter: the BPF toolkit's disassembler with seccomp's names (seccomp_data
// words, audit arch tokens, syscalls by the arch known on each path, SECCOMP_RET_* actions).
import { formatProgram } from '../bpf/disasm.js';
import type { Instruction } from '../bpf/types.js';
import { seccompAnnotator } from './annotate.js';

/** `p` listed one instruction per line, with seccomp's names. */
export function disassembleSeccomp(p: readonly Instruction[]): string {
  return formatProgram(p, seccompAnnotator);
}
