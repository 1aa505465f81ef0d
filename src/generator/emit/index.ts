// Every output format, one emitter per file; this picks one.
import { ProfilerError } from '../../errors.js';
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

/** `policy` written in `format`: text, or bytes for `bpf`. */
export function emitPolicy(policy: Policy, format: Format): string | Uint8Array {
  switch (format) {
    case 'docker':
      return emitDocker(policy);
    case 'oci':
      return emitOci(policy);
    case 'k8s':
      return emitK8s(policy);
    case 'bpf':
      return emitBpf(policy);
    case 'bpf-c':
      return emitBpfC(policy);
    case 'disasm':
      return emitDisasm(policy);
    case 'libseccomp':
      return emitLibseccomp(policy);
    case 'systemd':
      return emitSystemd(policy);
  }
}
