// signal_deliver(sig, info, ka), raw tracepoint: runs in the thread a signal is being delivered to
// (handled or not; an ignored signal is dropped before). When that thread belongs to the workload's
// main process and the signal is a stop signal, it notes the time: the supervisor then knows the
// workload got its own copy (a terminal's Ctrl-C signals the whole foreground group) and sends none,
// as the ptrace tracer learns it from the signal-delivery stop.
import { EbpfAssembler } from '../asm.js';
import { DW, HELPER, JNE, R0, R1, R6, R7, R10, RSH, W } from '../insn.js';
import { type Maps, SIGNAL_AT, SIGNAL_NUMBERS, SIGNAL_ROOT } from '../maps.js';
import { lookup, returnZero } from './emit.js';

export function signalProgram(maps: Maps): Uint8Array {
  const ZERO_KEY = -4;
  const a = new EbpfAssembler();
  const out = a.label('out');
  a.ldx(DW, R6, R1, 0); // sig
  a.st(W, R10, ZERO_KEY, 0);
  lookup(a, maps.signals, ZERO_KEY, out);
  a.mov(R7, R0);
  a.call(HELPER.getCurrentPidTgid);
  a.alu64(RSH, R0, 32);
  a.ldx(W, R1, R7, SIGNAL_ROOT);
  a.jmp(JNE, R0, R1, out);
  SIGNAL_NUMBERS.forEach((sig, i) => {
    const next = a.label(`not${sig}`);
    a.jmp(JNE, R6, sig, next);
    a.call(HELPER.ktimeGetNs);
    a.st(DW, R7, SIGNAL_AT + 8 * i, R0);
    a.goto(out);
    a.bind(next);
  });
  a.bind(out);
  returnZero(a);
  return a.assemble();
}
