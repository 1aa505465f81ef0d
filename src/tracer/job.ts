// The job the tracer hands its launcher, in a form a small C program reads without a JSON parser
// (src/tracer/launcher.c); both launchers read it. Little-endian u32 header words:
//   magic "SPJ2", argc, envc, keep count, flags (JOB_CHDIR, JOB_KEEP_PRIVILEGES), ignored signals
//   (two words, bit N-1 = signal N), filter bytes;
// then path\0 cwd\0 argv…\0 env…\0 (bytes, passed on unchanged), the fds to keep (u32 each) and the
// raw struct sock_filter[]. An empty filter means no filter and no no_new_privs (the eBPF recorder's
// job: the workload starts as a shell would start it). Without the chdir flag cwd is empty and the
// workload keeps the launcher's cwd, which is the profiler's: a deleted cwd keeps working as it does
// natively.

import { type ByteString, toBytes } from '../util/bytes.js';

export type { ByteString } from '../util/bytes.js';

export const JOB_MAGIC = 0x324a5053; // "SPJ2"
const HEADER_WORDS = 8;
/** Flag: chdir to cwd (set when the job has one). */
const JOB_CHDIR = 1;
/** Flag: install the filter without setting no_new_privs first (the launcher needs CAP_SYS_ADMIN). */
export const JOB_KEEP_PRIVILEGES = 2;

export interface Job {
  readonly path: ByteString;
  /** Where the workload starts; undefined: where the launcher already is (no chdir). */
  readonly cwd: ByteString | undefined;
  readonly argv: readonly ByteString[];
  readonly env: readonly ByteString[];
  /** Descriptors the workload gets at the same numbers (close-on-exec cleared); every other fd is closed. */
  readonly keepFds: readonly number[];
  /** Signals the workload starts with ignored (1–64); every other disposition is the default. */
  readonly ignoredSignals: readonly number[];
  readonly filter: Uint8Array;
  /** JOB_KEEP_PRIVILEGES or 0 (default); JOB_CHDIR follows from `cwd`. */
  readonly flags?: number;
}

/** The job as the launcher decodes it: every string as its bytes. */
export interface DecodedJob extends Job {
  readonly path: Buffer;
  readonly cwd: Buffer | undefined;
  readonly argv: readonly Buffer[];
  readonly env: readonly Buffer[];
}

/** execve cannot pass a NUL inside a string (it would cut it short): refuse it here. */
function cstr(s: ByteString): Buffer {
  const bytes = toBytes(s);
  if (bytes.includes(0)) throw new Error(`NUL byte in ${JSON.stringify(bytes.toString('utf8'))}`);
  return Buffer.concat([bytes, Buffer.alloc(1)]);
}

export function encodeJob(job: Job): Buffer {
  const head = Buffer.alloc(HEADER_WORDS * 4);
  let mask = 0n;
  for (const sig of job.ignoredSignals) {
    if (!Number.isInteger(sig) || sig < 1 || sig > 64) throw new Error(`no signal ${sig}`);
    mask |= 1n << BigInt(sig - 1);
  }
  const words = [
    JOB_MAGIC,
    job.argv.length,
    job.env.length,
    job.keepFds.length,
    ((job.flags ?? 0) & ~JOB_CHDIR) | (job.cwd === undefined ? 0 : JOB_CHDIR),
    Number(mask & 0xffffffffn),
    Number(mask >> 32n),
    job.filter.length,
  ];
  words.forEach((w, i) => {
    head.writeUInt32LE(w, i * 4);
  });
  const fds = Buffer.alloc(job.keepFds.length * 4);
  job.keepFds.forEach((fd, i) => {
    fds.writeUInt32LE(fd, i * 4);
  });
  return Buffer.concat([
    head,
    cstr(job.path),
    cstr(job.cwd ?? ''),
    ...job.argv.map(cstr),
    ...job.env.map(cstr),
    fds,
    Buffer.from(job.filter),
  ]);
}

/** Throws on a truncated or malformed job. */
export function decodeJob(buf: Buffer): DecodedJob {
  if (buf.length < HEADER_WORDS * 4) throw new Error('job too short');
  const word = (i: number) => buf.readUInt32LE(i * 4);
  if (word(0) !== JOB_MAGIC) throw new Error('not a job (wrong magic)');
  const [argc, envc, nkeep, flags, ignLo, ignHi, filterLen] = [1, 2, 3, 4, 5, 6, 7].map(word) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let pos = HEADER_WORDS * 4;
  const take = (): Buffer => {
    const end = buf.indexOf(0, pos);
    if (end < 0) throw new Error('job truncated');
    const s = buf.subarray(pos, end);
    pos = end + 1;
    return s;
  };
  const path = take();
  const cwd = take();
  const argv = Array.from({ length: argc }, take);
  const env = Array.from({ length: envc }, take);
  if (buf.length - pos < nkeep * 4) throw new Error('job truncated');
  const keepFds = Array.from({ length: nkeep }, (_, i) => buf.readUInt32LE(pos + i * 4));
  pos += nkeep * 4;
  if (buf.length - pos !== filterLen) throw new Error('job filter length mismatch');
  const mask = (BigInt(ignHi) << 32n) | BigInt(ignLo);
  const ignoredSignals: number[] = [];
  for (let sig = 1; sig <= 64; sig++) if ((mask >> BigInt(sig - 1)) & 1n) ignoredSignals.push(sig);
  return {
    path,
    cwd: flags & JOB_CHDIR ? cwd : undefined,
    argv,
    env,
    keepFds,
    ignoredSignals,
    filter: new Uint8Array(buf.subarray(pos)),
    flags: flags & ~JOB_CHDIR,
  };
}
