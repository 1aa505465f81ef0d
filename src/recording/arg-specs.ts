// Which syscall arguments a recording keeps, because a profile can restrict on them.

/** One recorded argument: its index in seccomp_data.args and how many low bits the kernel reads. */
export interface ArgField {
  readonly name: string;
  readonly index: number;
  /** 32 for C `int`/`unsigned int` parameters: the kernel ignores the high half, so do we. */
  readonly bits: 32 | 64;
}

/**
 * Syscalls whose argument values are recorded. An empty field list records presence only
 * (clone3 passes its flags in user memory, which seccomp cannot read).
 */
export const ARG_SPECS: Readonly<Record<string, readonly ArgField[]>> = {
  socket: [
    { name: 'domain', index: 0, bits: 32 },
    { name: 'type', index: 1, bits: 32 },
  ],
  ioctl: [{ name: 'request', index: 1, bits: 32 }],
  prctl: [{ name: 'option', index: 0, bits: 32 }],
  fcntl: [{ name: 'cmd', index: 1, bits: 32 }],
  fcntl64: [{ name: 'cmd', index: 1, bits: 32 }],
  clone: [{ name: 'flags', index: 0, bits: 64 }],
  clone3: [],
  personality: [{ name: 'persona', index: 0, bits: 32 }],
  mmap: [{ name: 'prot', index: 2, bits: 64 }],
  mmap2: [{ name: 'prot', index: 2, bits: 32 }],
  mprotect: [{ name: 'prot', index: 2, bits: 64 }],
  pkey_mprotect: [{ name: 'prot', index: 2, bits: 64 }],
};

/** At most this many distinct value tuples are kept per syscall and arch; past it, `truncated` is set. */
export const MAX_ARG_VALUES = 256;
