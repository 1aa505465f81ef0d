// Readable argument values for the syscalls profiles restrict by argument (see recording/arg-specs.ts).
import { ARG_SPECS } from '../recording/arg-specs.js';

const AF: Readonly<Record<number, string>> = {
  0: 'AF_UNSPEC',
  1: 'AF_UNIX',
  2: 'AF_INET',
  4: 'AF_IPX',
  5: 'AF_APPLETALK',
  9: 'AF_X25',
  10: 'AF_INET6',
  16: 'AF_NETLINK',
  17: 'AF_PACKET',
  38: 'AF_ALG',
  40: 'AF_VSOCK',
  44: 'AF_XDP',
};
const SOCK_TYPE: Readonly<Record<number, string>> = {
  1: 'SOCK_STREAM',
  2: 'SOCK_DGRAM',
  3: 'SOCK_RAW',
  4: 'SOCK_RDM',
  5: 'SOCK_SEQPACKET',
  10: 'SOCK_PACKET',
};
const PROT: readonly [bigint, string][] = [
  [1n, 'PROT_READ'],
  [2n, 'PROT_WRITE'],
  [4n, 'PROT_EXEC'],
];
const CLONE: readonly [bigint, string][] = [
  [0x100n, 'CLONE_VM'],
  [0x200n, 'CLONE_FS'],
  [0x400n, 'CLONE_FILES'],
  [0x800n, 'CLONE_SIGHAND'],
  [0x4000n, 'CLONE_VFORK'],
  [0x10000n, 'CLONE_THREAD'],
  [0x20000n, 'CLONE_NEWNS'],
  [0x2000000n, 'CLONE_NEWCGROUP'],
  [0x4000000n, 'CLONE_NEWUTS'],
  [0x8000000n, 'CLONE_NEWIPC'],
  [0x10000000n, 'CLONE_NEWUSER'],
  [0x20000000n, 'CLONE_NEWPID'],
  [0x40000000n, 'CLONE_NEWNET'],
];

const hex = (v: bigint) => `0x${v.toString(16)}`;

function flags(value: bigint, table: readonly [bigint, string][]): string {
  const names: string[] = [];
  let rest = value;
  for (const [bit, name] of table) {
    if (value & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest) names.push(hex(rest));
  return names.length ? names.join('|') : '0';
}

/** One argument value, named where we know the constants (`AF_INET`, `PROT_READ|PROT_WRITE`). */
export function formatArg(syscall: string, field: string, value: bigint): string {
  switch (`${syscall}.${field}`) {
    case 'socket.domain':
      return AF[Number(value & 0xffffffffn)] ?? hex(value);
    case 'socket.type': {
      const v = value & 0xffffffffn;
      const extra = [v & 0x80000n ? 'SOCK_CLOEXEC' : '', v & 0x800n ? 'SOCK_NONBLOCK' : ''].filter(Boolean);
      const base = SOCK_TYPE[Number(v & 0xfn)] ?? hex(v & 0xfn);
      return [base, ...extra].join('|');
    }
    case 'mmap.prot':
    case 'mmap2.prot':
    case 'mprotect.prot':
    case 'pkey_mprotect.prot':
      return value === 0n ? 'PROT_NONE' : flags(value, PROT);
    case 'clone.flags':
      return flags(value & ~0xffn, CLONE) + (value & 0xffn ? ` (signal ${value & 0xffn})` : '');
    default:
      return hex(value);
  }
}

/**
 * The six raw argument registers of a call (hex strings) as `name=value` for the arguments a
 * profile can restrict, followed by the rest as plain hex: `domain=AF_INET, type=SOCK_STREAM, 0x0, …`.
 */
export function formatArgs(syscall: string, args: readonly string[]): string {
  const fields = ARG_SPECS[syscall] ?? [];
  return args
    .map((raw, i) => {
      const value = BigInt(raw.startsWith('0x') ? raw : `0x${raw}`);
      const field = fields.find((f) => f.index === i);
      if (!field) return hex(value);
      const v = field.bits === 32 ? value & 0xffffffffn : value;
      return `${field.name}=${formatArg(syscall, field.name, v)}`;
    })
    .join(', ');
}
