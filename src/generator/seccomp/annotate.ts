// Seccomp names for the disassembler: seccomp_data fields, AUDIT_ARCH tokens, syscalls, actions.
import { errnoName } from '../../arch/errno.js';
import { AUDIT_ARCH, archOf, syscallName } from '../../arch/index.js';
import { decodeReturn } from '../../arch/seccomp.js';
import type { Annotator, FlowFacts } from '../bpf/disasm.js';
import { ARCH_OFFSET, IP_OFFSET, NR_OFFSET } from './data.js';

const ARCH_NAMES = new Map<number, string>([
  [AUDIT_ARCH.x86_64, 'ARCH_X86_64'],
  [AUDIT_ARCH.i386, 'ARCH_I386'],
  [AUDIT_ARCH.aarch64, 'ARCH_AARCH64'],
]);

function wordName(offset: number): string | undefined {
  if (offset === NR_OFFSET) return 'sys_number';
  if (offset === ARCH_OFFSET) return 'arch';
  if (offset === IP_OFFSET) return 'instruction_pointer';
  if (offset === IP_OFFSET + 4) return 'instruction_pointer >> 32';
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const i = Math.floor((offset - 16) / 8);
    return offset % 8 === 0 ? `args[${i}]` : `args[${i}] >> 32`;
  }
  return undefined;
}

function constantName(k: number, facts: FlowFacts): string | undefined {
  if (facts.aFrom === ARCH_OFFSET) return ARCH_NAMES.get(k);
  if (facts.aFrom !== NR_OFFSET) return undefined;
  const auditArch = facts.known.get(ARCH_OFFSET);
  if (auditArch === undefined) return undefined;
  const arch = archOf(auditArch, k | 0);
  return arch === undefined ? undefined : syscallName(arch, k | 0);
}

/** SECCOMP_RET_* name of a filter's return value, e.g. `ERRNO(1) EPERM`. */
export function seccompReturnName(k: number): string {
  const decoded = decodeReturn(k);
  if (!decoded) return `0x${(k >>> 0).toString(16).padStart(8, '0')}`;
  const { fact, data } = decoded;
  if (fact.data === 'none') return fact.ret;
  const name = fact.data === 'errno' ? errnoName(data) : undefined;
  return name ? `${fact.ret}(${data}) ${name}` : `${fact.ret}(${data})`;
}

/** Names seccomp_data words, arch tokens, syscall numbers (by the arch known on the path) and actions. */
export const seccompAnnotator: Annotator = { wordName, constantName, returnName: seccompReturnName };
