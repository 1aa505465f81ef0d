// One recorded argument value as the kernel's constant names: `AF_INET`, `PROT_READ|PROT_WRITE`,
// `F_DUPFD_CLOEXEC`. Shared by `profile show` (src/recording) and the enforcer's reports, so a value
// reads the same everywhere; unknown values stay hex.
import {
  AF,
  CLONE,
  FCNTL_CMD,
  IOCTL_REQUEST,
  PERSONA,
  PERSONA_FLAGS,
  PRCTL_OPTION,
  PROT,
  SOCK_FLAGS,
  SOCK_TYPE,
} from './arg-constants.js';

const LOW32 = 0xffffffffn;
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** `A|B|0x40` for the bits of `value` named in `table`, the rest as hex; `zero` when none is set. */
function flags(value: bigint, table: readonly [bigint, string][], zero = '0'): string {
  const names: string[] = [];
  let rest = value;
  for (const [bit, name] of table) {
    if (value & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest) names.push(hex(rest));
  return names.length ? names.join('|') : zero;
}

function named(table: Readonly<Record<number, string>>, value: bigint): string {
  return (value <= LOW32 ? table[Number(value)] : undefined) ?? hex(value);
}

/** One argument value, named where the constants are known; `field` as in recording/arg-specs.ts. */
export function formatArg(syscall: string, field: string, value: bigint): string {
  switch (`${syscall}.${field}`) {
    case 'socket.domain':
      return named(AF, value & LOW32);
    case 'socket.type': {
      const v = value & LOW32;
      const base = SOCK_TYPE[Number(v & 0xfn)] ?? hex(v & 0xfn);
      const rest = flags(v & ~0xfn, SOCK_FLAGS, '');
      return rest ? `${base}|${rest}` : base;
    }
    case 'mmap.prot':
    case 'mmap2.prot':
    case 'mprotect.prot':
    case 'pkey_mprotect.prot':
      return flags(value, PROT, 'PROT_NONE');
    case 'clone.flags':
      return flags(value & ~0xffn, CLONE) + (value & 0xffn ? ` (signal ${value & 0xffn})` : '');
    case 'fcntl.cmd':
    case 'fcntl64.cmd':
      return named(FCNTL_CMD, value & LOW32);
    case 'prctl.option':
      return named(PRCTL_OPTION, value & LOW32);
    case 'ioctl.request':
      return named(IOCTL_REQUEST, value & LOW32);
    case 'personality.persona': {
      const v = value & LOW32;
      if (v === LOW32) return '0xffffffff (query)';
      const base = PERSONA[Number(v & 0xffn)] ?? hex(v & 0xffn);
      const rest = flags(v & ~0xffn, PERSONA_FLAGS, '');
      return rest ? `${base}|${rest}` : base;
    }
    default:
      return hex(value);
  }
}
