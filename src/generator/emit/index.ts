// Every output format, one emitter per file; this picks one.
import { ProfilerError } from '../../errors.js';
import type { ValidatedProgram } from '../bpf/types.js';
import type { Policy } from '../policy/types.js';
import { emitBpf } from './bpf.js';
import { emitBpfC } from './bpf-c.js';
import { emitDisasm } from './disasm.js';
import { emitDocker } from './docker.js';
import { emitK8s } from './k8s.js';
import { emitLibseccomp } from './libseccomp.js';
import { emitOci } from './oci.js';
import { emitSystemd } from './systemd.js';

export const FORMATS = ['docker', 'oci', 'k8s', 'bpf', 'bpf-c', 'disasm', 'libseccomp', 'systemd'] as const;
export type Format = (typeof FORMATS)[number];

/** Binary formats (must not be written to a terminal). */
export function isBinaryFormat(format: Format): boolean {
  return format === 'bpf';
}

export function parseFormat(text: string): Format {
  if ((FORMATS as readonly string[]).includes(text)) return text as Format;
  throw new ProfilerError(
    'USAGE',
    `Expected \`--format\` to be one of ${FORMATS.join(', ')}, got \`${text}\``,
  );
}

/** Formats that carry a program as it is (a raw filter passes through them unchanged). */
export function isProgramFormat(format: Format): boolean {
  return format === 'bpf' || format === 'bpf-c' || format === 'disasm';
}

/**
 * `policy` written in `format`: text, or bytes for `bpf`. For the program formats, `program` (a raw
 * filter passed through) replaces the policy compiled; the policy still gives the provenance.
 */
export function emitPolicy(policy: Policy, format: Format, program?: ValidatedProgram): string | Uint8Array {
  switch (format) {
    case 'docker':
      return emitDocker(policy);
    case 'oci':
      return emitOci(policy);
    case 'k8s':
      return emitK8s(policy);
    case 'bpf':
      return emitBpf(policy, program);
    case 'bpf-c':
      return emitBpfC(policy, program);
    case 'disasm':
      return emitDisasm(policy, program);
    case 'libseccomp':
      return emitLibseccomp(policy);
    case 'systemd':
      return emitSystemd(policy);
  }
}
