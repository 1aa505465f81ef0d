// The job the tracer hands its launcher on fd 3, in a form a small C program reads without a JSON
// parser (src/tracer/launcher.c): u32 argc, u32 envc, u32 filter bytes, u32 flags (little-endian),
// then path\0 cwd\0 argv…\0 env…\0 and the raw struct sock_filter[]. Both launchers read this.

/** Flag: install the filter without setting no_new_privs first (the launcher needs CAP_SYS_ADMIN). */
export const JOB_KEEP_PRIVILEGES = 1;

export interface Job {
  readonly path: string;
  readonly cwd: string;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly filter: Uint8Array;
  /** JOB_* bits; default 0. */
  readonly flags?: number;
}

/** Strings cannot hold NUL for execve; a NUL would cut them short, so refuse it here. */
function cstr(s: string): Buffer {
  if (s.includes('\0')) throw new Error(`NUL byte in ${JSON.stringify(s)}`);
  return Buffer.from(`${s}\0`, 'utf8');
}

export function encodeJob(job: Job): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(job.argv.length, 0);
  head.writeUInt32LE(job.env.length, 4);
  head.writeUInt32LE(job.filter.length, 8);
  head.writeUInt32LE(job.flags ?? 0, 12);
  return Buffer.concat([
    head,
    cstr(job.path),
    cstr(job.cwd),
    ...job.argv.map(cstr),
    ...job.env.map(cstr),
    Buffer.from(job.filter),
  ]);
}

/** Throws on a truncated or malformed job. */
export function decodeJob(buf: Buffer): Job {
  if (buf.length < 16) throw new Error('job too short');
  const argc = buf.readUInt32LE(0);
  const envc = buf.readUInt32LE(4);
  const filterLen = buf.readUInt32LE(8);
  const flags = buf.readUInt32LE(12);
  let pos = 16;
  const take = (): string => {
    const end = buf.indexOf(0, pos);
    if (end < 0) throw new Error('job truncated');
    const s = buf.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  };
  const path = take();
  const cwd = take();
  const argv = Array.from({ length: argc }, take);
  const env = Array.from({ length: envc }, take);
  if (buf.length - pos !== filterLen) throw new Error('job filter length mismatch');
  return { path, cwd, argv, env, filter: new Uint8Array(buf.subarray(pos)), flags };
}
