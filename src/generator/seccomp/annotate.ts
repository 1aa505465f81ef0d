// Seccomp names for the disassembler: seccomp_data fields, AUDIT_ARCH tokens, syscalls, actions.
import { constants } from 'node:os';
import { AUDIT_ARCH, archOf, syscallName } from '../../arch/index.js';
import type { Annotator, FlowFacts } from '../bpf/disasm.js';
import { ARCH_OFFSET, IP_OFFSET, NR_OFFSET } from './data.js';

const ARCH_NAMES = new Map<number, string>([
  [AUDIT_ARCH.x86_64, 'ARCH_X86_64'],
  [AUDIT_ARCH.i386, 'ARCH_I386'],
  [AUDIT_ARCH.aarch64, 'ARCH_AARCH64'],
]);

const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}

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
  const v = k >>> 0;
  const data = v & 0xffff;
  switch ((v & 0xffff0000) >>> 0) {
    case 0x80000000:
      return 'KILL_PROCESS';
    case 0x00000000:
      return 'KILL_THREAD';
    case 0x00030000:
      return `TRAP(${data})`;
    case 0x00050000: {
      const name = ERRNO_NAMES.get(data);
      return name ? `ERRNO(${data}) ${name}` : `ERRNO(${data})`;
    }
    case 0x7fc00000:
      return 'USER_NOTIF';
    case 0x7ff00000:
      return `TRACE(${data})`;
    case 0x7ffc0000:
      return 'LOG';
    case 0x7fff0000:
      return 'ALLOW';
    default:
      return `0x${v.toString(16).padStart(8, '0')}`;
  }
}

/** Names seccomp_data words, arch tokens, syscall numbers (by the arch known on the path) and actions. */
export const seccompAnnotator: Annotator = { wordName, constantName, returnName: seccompReturnName };
