// moby's includes/excludes: which entries of Docker's own profile apply to this container, by its
// capabilities, the target ABIs (Go's GOARCH names) and the kernel version (minKernel).
import type { Arch } from '../../arch/index.js';
import { normalizeCap } from '../policy/capabilities.js';
import { parseKernelVersion } from '../policy/kernel-version.js';
import { type Ctx, isObj, type Obj } from './json-shape.js';

/** Go (GOARCH-style) names moby uses in includes/excludes.arches. */
const GO_ARCH: Readonly<Record<Arch, readonly string[]>> = {
  x86_64: ['amd64', 'x86_64'],
  i386: ['386', 'x86', 'i386'],
  x32: ['x32'],
  aarch64: ['arm64', 'aarch64'],
};

/** What an entry is evaluated against. */
export interface Filter {
  readonly caps: readonly string[];
  readonly kernel: [number, number];
  readonly targetArches: readonly Arch[];
}

function kernelAtLeast(have: [number, number], want: [number, number]): boolean {
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}

function goArchMatches(list: readonly string[], targets: readonly Arch[]): boolean {
  return targets.some((a) => GO_ARCH[a].some((g) => list.includes(g)));
}

/** moby's includes/excludes: excludes win; includes.caps needs all caps, excludes.caps any one. */
export function applies(ctx: Ctx, entry: Obj, where: string, f: Filter): boolean {
  const ex = entry.excludes;
  const inc = entry.includes;
  if (ex !== undefined && ex !== null) {
    if (!isObj(ex)) ctx.fail(where, '`excludes` must be an object');
    const arches = ctx.strings(ex.arches, `${where}.excludes.arches`);
    if (arches.length && goArchMatches(arches, f.targetArches)) return false;
    const caps = ctx.strings(ex.caps, `${where}.excludes.caps`).map(normalizeCap);
    if (caps.some((c) => f.caps.includes(c))) return false;
    if (
      typeof ex.minKernel === 'string' &&
      ex.minKernel &&
      kernelAtLeast(f.kernel, parseKernelVersion(ex.minKernel, `${where}.excludes.minKernel`))
    )
      return false;
  }
  if (inc !== undefined && inc !== null) {
    if (!isObj(inc)) ctx.fail(where, '`includes` must be an object');
    const arches = ctx.strings(inc.arches, `${where}.includes.arches`);
    if (arches.length && !goArchMatches(arches, f.targetArches)) return false;
    const caps = ctx.strings(inc.caps, `${where}.includes.caps`).map(normalizeCap);
    if (!caps.every((c) => f.caps.includes(c))) return false;
    if (
      typeof inc.minKernel === 'string' &&
      inc.minKernel &&
      !kernelAtLeast(f.kernel, parseKernelVersion(inc.minKernel, `${where}.includes.minKernel`))
    )
      return false;
  }
  return true;
}
