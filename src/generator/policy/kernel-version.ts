// Kernel versions as Docker profiles' minKernel and --kernel spell them (X.Y).
import { release } from 'node:os';
import { ProfilerError } from '../../errors.js';
import type { GenerateOptions } from './options.js';

/** `X.Y[.Z…]` → [X, Y]; throws on anything else. */
export function parseKernelVersion(text: string, flag = '--kernel'): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!m)
    throw new ProfilerError('USAGE', `Expected \`${flag}\` to look like X.Y (e.g. 6.1), got \`${text}\``);
  return [Number(m[1]), Number(m[2])];
}

/** The kernel version minKernel is compared with: `--kernel` or the running kernel. */
export function targetKernel(opts: GenerateOptions): [number, number] {
  return parseKernelVersion(opts.kernel ?? release(), opts.kernel ? '--kernel' : 'the running kernel');
}
