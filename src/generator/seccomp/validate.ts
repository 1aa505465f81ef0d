// The extra rules seccomp(2) puts on classic BPF (kernel/seccomp.c: seccomp_check_filter).
import { ProfilerError } from '../../errors.js';
import { ABS, classOf, IND, type Instruction, LD, LDX, MSH, modeOf, W } from '../bpf/types.js';
import { SECCOMP_DATA_SIZE } from './data.js';

/** Why the kernel would refuse `p` as a seccomp filter (beyond classic validity), or undefined. */
export function seccompProblem(p: readonly Instruction[]): string | undefined {
  for (let pc = 0; pc < p.length; pc++) {
    const { code, k } = p[pc]!;
    const cls = classOf(code);
    if (cls !== LD && cls !== LDX) continue;
    const mode = modeOf(code);
    if (code === (LD | W | ABS)) {
      if (k >= SECCOMP_DATA_SIZE || k % 4 !== 0) {
        return `instruction ${pc} loads seccomp_data at offset ${k} (must be 4-byte aligned and < ${SECCOMP_DATA_SIZE})`;
      }
    } else if (mode === ABS || mode === IND || mode === MSH) {
      return `instruction ${pc} is a load seccomp does not allow (opcode 0x${code.toString(16)}; only 32-bit absolute loads)`;
    }
  }
  return undefined;
}

/** Throws ProfilerError('BAD_INPUT') when the kernel would refuse `p` as a seccomp filter. */
export function assertSeccompProgram(p: readonly Instruction[]): void {
  const problem = seccompProblem(p);
  if (problem !== undefined) throw new ProfilerError('BAD_INPUT', `invalid seccomp filter: ${problem}`);
}
