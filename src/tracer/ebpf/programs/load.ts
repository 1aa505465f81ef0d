// Loading the five programs through the verifier and attaching them to their raw tracepoints.
// Closing the returned fds detaches and unloads everything: nothing outlives the recorder.
import { close } from '../../libc.js';
import { btfLoad, type ProgLoad, progLoadRawTracepoint, rawTracepointOpen } from '../bpf-prog.js';
import { funcBtf } from '../func-btf.js';
import type { KernelLayout } from '../layout.js';
import type { Maps } from '../maps.js';
import { execProgram } from './exec.js';
import { exitProgram, forkProgram } from './sched.js';
import { signalProgram } from './signal.js';
import { sysEnterProgram } from './sys-enter.js';

/**
 * Loads and attaches the programs; returns every fd to close. The process-tree programs go first,
 * so that no fork of a followed process can happen unseen once sys_enter counts.
 */
export function loadPrograms(maps: Maps, layout: KernelLayout): number[] {
  const fds: number[] = [];
  try {
    const exec = execProgram(maps, layout);
    const { blob, typeIds } = funcBtf(['sp_exec', 'sp_path_step']);
    const btf = btfLoad(blob);
    fds.push(btf);
    const programs: [string, ProgLoad][] = [
      ['sched_process_fork', { insns: forkProgram(maps, layout), name: 'sp_fork' }],
      ['sched_process_exit', { insns: exitProgram(maps, layout), name: 'sp_exit' }],
      [
        'sched_process_exec',
        {
          insns: exec.insns,
          name: 'sp_exec',
          funcs: {
            btfFd: btf,
            info: [
              [0, typeIds[0]!],
              [exec.step, typeIds[1]!],
            ],
          },
        },
      ],
      ['signal_deliver', { insns: signalProgram(maps), name: 'sp_signal' }],
      ['sys_enter', { insns: sysEnterProgram(maps, layout), name: 'sp_sys_enter' }],
    ];
    for (const [tracepoint, prog] of programs) {
      const fd = progLoadRawTracepoint(prog);
      fds.push(fd);
      fds.push(rawTracepointOpen(tracepoint, fd));
    }
    return fds;
  } catch (error) {
    for (const fd of fds) close(fd);
    throw error;
  }
}
