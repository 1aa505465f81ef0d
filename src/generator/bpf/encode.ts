// struct sock_filter[] in the host's (little-endian) layout: u16 code, u8 jt, u8 jf, u32 k.
import { ProfilerError } from '../../errors.js';
import type { Instruction, ValidatedProgram } from './types.js';
import { programProblem, validateProgram } from './validate.js';

/** Size of one struct sock_filter. */
export const INSN_SIZE = 8;

/** The raw bytes of `p`, as bwrap --seccomp and seccomp(2) read them. */
export function encodeProgram(p: ValidatedProgram): Uint8Array {
  const bytes = new Uint8Array(p.length * INSN_SIZE);
  const view = new DataView(bytes.buffer);
  p.forEach((insn, i) => {
    const o = i * INSN_SIZE;
    view.setUint16(o, insn.code, true);
    view.setUint8(o + 2, insn.jt);
    view.setUint8(o + 3, insn.jf);
    view.setUint32(o + 4, insn.k >>> 0, true);
  });
  return bytes;
}

/** Parses and validates raw sock_filter bytes; ProfilerError('BAD_INPUT') on anything else. */
export function decodeProgram(bytes: Uint8Array): ValidatedProgram {
  if (bytes.byteLength === 0) throw new ProfilerError('BAD_INPUT', 'invalid BPF program: the file is empty');
  if (bytes.byteLength % INSN_SIZE !== 0) {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid BPF program: ${bytes.byteLength} bytes is not a whole number of ${INSN_SIZE}-byte instructions`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const p: Instruction[] = [];
  for (let o = 0; o < bytes.byteLength; o += INSN_SIZE) {
    p.push({
      code: view.getUint16(o, true),
      jt: view.getUint8(o + 2),
      jf: view.getUint8(o + 3),
      k: view.getUint32(o + 4, true),
    });
  }
  const problem = programProblem(p);
  if (problem !== undefined) throw new ProfilerError('BAD_INPUT', `invalid BPF program: ${problem}`);
  return validateProgram(p);
}
