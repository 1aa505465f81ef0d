// The programs see the kernel's global pids; user space sees its own PID namespace's. They are the
// same numbers only in the initial namespace (or one that numbers like it): anywhere else we would
// follow, count and kill the wrong processes, so the backend refuses to run there.
import { close } from '../libc.js';
import { EbpfAssembler } from './asm.js';
import { progLoadRawTracepoint, progTestRun } from './bpf-prog.js';
import { HELPER, R0, RSH } from './insn.js';

/** The calling process's thread-group id as the kernel's programs see it. */
export function globalTgid(): number {
  const a = new EbpfAssembler().call(HELPER.getCurrentPidTgid).alu64(RSH, R0, 32).exit();
  const fd = progLoadRawTracepoint({ insns: a.assemble(), name: 'sp_tgid' });
  try {
    return progTestRun(fd);
  } finally {
    close(fd);
  }
}

/** Why the programs' pids would not be ours, or undefined when they are. */
export function pidNamespaceProblem(): string | undefined {
  const global = globalTgid();
  if (global === process.pid) return undefined;
  return `the profiler runs in a PID namespace (pid ${process.pid} here, ${global} to the kernel): the eBPF backend needs the host's (e.g. docker run --pid=host)`;
}
