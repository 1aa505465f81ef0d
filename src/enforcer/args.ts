// Readable argument values for the syscalls profiles restrict by argument (see recording/arg-specs.ts).
// The constant names live in src/arch (arg-values.ts), which `profile show` shares.
import { formatArg } from '../arch/arg-values.js';
import { ARG_SPECS } from '../recording/arg-specs.js';

export { formatArg };

const hex = (v: bigint) => `0x${v.toString(16)}`;

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
