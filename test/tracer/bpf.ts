// Hand-assembled seccomp filters for the tracer tests (the compiler is tested elsewhere).
import { returnValue } from '../../src/arch/seccomp.js';
import {
  ABS,
  JEQ,
  JMP,
  jump,
  K,
  LD,
  RET as RET_CLASS,
  stmt,
  type ValidatedProgram,
  W,
} from '../../src/generator/bpf/types.js';
import { validateProgram } from '../../src/generator/bpf/validate.js';

/** Return values, from the one table of them. */
export const RET = {
  KILL_PROCESS: returnValue('kill-process'),
  KILL_THREAD: returnValue('kill-thread'),
  TRAP: returnValue('trap'),
  ERRNO: returnValue('errno'),
  TRACE: returnValue('trace'),
  ALLOW: returnValue('allow'),
} as const;

/** `if arch == auditArch && nr == nr then hit else otherwise`. */
export function onSyscall(auditArch: number, nr: number, hit: number, otherwise: number): ValidatedProgram {
  return validateProgram([
    stmt(LD | W | ABS, 4),
    jump(JMP | JEQ | K, auditArch, 0, 3),
    stmt(LD | W | ABS, 0),
    jump(JMP | JEQ | K, nr, 0, 1),
    stmt(RET_CLASS | K, hit),
    stmt(RET_CLASS | K, otherwise),
  ]);
}
