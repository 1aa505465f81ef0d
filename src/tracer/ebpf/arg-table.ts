// Which syscall numbers, per ABI, the recorder keeps argument values for: ARG_SPECS (the same list
// the ptrace recorder uses) resolved to numbers, as the program compares them.
import { ARCHES, syscallNumber, X32_SYSCALL_BIT } from '../../arch/index.js';
import { ARG_SPECS, type ArgField } from '../../recording/arg-specs.js';
import { mapUpdate } from './bpf.js';
import type { KernelLayout } from './layout.js';
import { ABI_I386, ABI_X32, ABI_X86_64, type Maps, NR_SLOTS, SLOT_SPEC, SLOT_VALUE } from './maps.js';
import { allocNative } from './native.js';

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

/** Set in a slot's spec when the syscall's arguments are kept, even with no fields (clone3). */
export const SPEC_PRESENT = 0x80;
/** In a field byte: keep only the low 32 bits. */
export const SPEC_LOW32 = 0x80;

/**
 * A slot's spec word: byte 0 = SPEC_PRESENT | number of fields; byte 1 + j = field j's pt_regs
 * offset / 8, | SPEC_LOW32 for a 32-bit field.
 */
export function encodeSpec(spec: ArgSpec, regs: readonly number[]): number {
  let word = SPEC_PRESENT | spec.fields.length;
  spec.fields.forEach((f, j) => {
    const off = regs[f.index]!;
    if (off % 8 !== 0 || off / 8 >= 0x80) throw new Error(`pt_regs offset ${off} does not fit a spec byte`);
    word |= ((off / 8) | (f.bits === 32 ? SPEC_LOW32 : 0)) << (8 * (j + 1));
  });
  return word >>> 0;
}

/** Writes every ABI's argument specs into the slots map, before the programs run. */
export function writeArgSpecs(maps: Maps, layout: KernelLayout): void {
  const key = allocNative(4);
  const value = allocNative(SLOT_VALUE);
  try {
    for (const abi of ABIS) {
      const regs = abi === ABI_I386 ? layout.argRegs32 : layout.argRegs64;
      for (const spec of argSpecs(abi)) {
        const index = abi === ABI_X32 ? spec.nr & ~X32_SYSCALL_BIT : spec.nr;
        if (index < 0 || index >= NR_SLOTS) continue;
        key.view.setUint32(0, abi * NR_SLOTS + index, true);
        value.view.setUint32(SLOT_SPEC, encodeSpec(spec, regs), true);
        mapUpdate(maps.slots, key.address, value.address);
      }
    }
  } finally {
    key.free();
    value.free();
  }
}
