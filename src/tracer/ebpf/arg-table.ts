// Which syscall numbers, per ABI, the recorder keeps argument values for: ARG_SPECS (the same list
// the ptrace recorder uses) resolved to numbers, as the program compares them.
import { ARCHES, syscallNumber } from '../../arch/index.js';
import { ARG_SPECS, type ArgField } from '../../recording/arg-specs.js';
import { ABI_I386, ABI_X32, ABI_X86_64 } from './maps.js';

export interface ArgSpec {
  readonly nr: number;
  readonly name: string;
  /** At most two fields: the argument key holds two values. */
  readonly fields: readonly ArgField[];
}

/** The ABIs the program tells apart, as indexes into ARCHES. */
export const ABIS = [ABI_X86_64, ABI_I386, ABI_X32] as const;

/** Argument specs of one ABI (ABI_* index), by syscall number (x32 numbers include the x32 bit). */
export function argSpecs(abi: number): ArgSpec[] {
  const arch = ARCHES[abi]!;
  const out: ArgSpec[] = [];
  for (const [name, fields] of Object.entries(ARG_SPECS)) {
    // i386 `mmap` is old_mmap: its only argument points to a struct in memory.
    if (arch === 'i386' && name === 'mmap') continue;
    const nr = syscallNumber(arch, name);
    if (nr === undefined) continue;
    if (fields.length > 2) throw new Error(`${name}: the argument key holds at most two fields`);
    out.push({ nr, name, fields });
  }
  return out.sort((a, b) => a.nr - b.nr);
}
