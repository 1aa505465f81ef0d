// The kernel's own record of seccomp kills, for containers we could not trace: every kill is logged
// as `audit: type=1326 audit(SECONDS.MS:SERIAL): … pid=N comm="…" exe="…" sig=31 arch=c000003e
// syscall=N …` in the kernel log (rate-limited without auditd). Reading /dev/kmsg needs root.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { type Arch, archOf, describeSyscall } from '../arch/index.js';

/** One seccomp kill the kernel logged. */
export interface AuditKill {
  readonly time: number;
  readonly pid: number;
  readonly comm: string;
  readonly exe: string;
  readonly arch: Arch;
  readonly nr: number;
  readonly syscall: string;
}

/** Parses one kernel log line; undefined unless it is a type=1326 record of a SIGSYS kill. */
export function parseAuditLine(line: string): AuditKill | undefined {
  const m = /type=1326 audit\((\d+\.\d+):\d+\):(.*)$/.exec(line);
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const f of m[2]!.matchAll(/(\w+)=("[^"]*"|\S+)/g)) fields.set(f[1]!, f[2]!.replace(/^"|"$/g, ''));
  if (fields.get('sig') !== '31') return undefined;
  const nr = Number(fields.get('syscall'));
  const arch = archOf(Number.parseInt(fields.get('arch') ?? '', 16) >>> 0, nr);
  if (!arch || !Number.isInteger(nr)) return undefined;
  return {
    time: Number(m[1]) * 1000,
    pid: Number(fields.get('pid')),
    comm: fields.get('comm') ?? '',
    exe: fields.get('exe') ?? '',
    arch,
    nr,
    syscall: describeSyscall(arch, nr),
  };
}

/** Seccomp kills in the kernel log at or after `since` (ms since the epoch). [] if unreadable. */
export function auditKillsSince(since: number): AuditKill[] {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  const out: AuditKill[] = [];
  const buf = Buffer.alloc(8192);
  try {
    // One record per read; EAGAIN at the end. Bounded: the ring holds a few thousand records.
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records overwritten while reading: go on
        break;
      }
      if (n <= 0) break;
      const kill = parseAuditLine(buf.toString('utf8', 0, n));
      if (kill && kill.time >= since - 1000) out.push(kill);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
