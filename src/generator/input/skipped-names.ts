// Names a profile lists that are no syscall on some of the policy's ABIs (podman's profile names
// pciconfig_iobase, a syscall of arm and ppc only). runc and libseccomp skip such a name on the ABIs
// that lack it; so do we, and say so.
import type { Arch } from '../../arch/index.js';

/** Collects skipped (name, ABI) pairs while a profile is read, and words them as provenance notes. */
export class SkippedNames {
  private readonly byName = new Map<string, Set<Arch>>();

  add(name: string, arch: Arch): void {
    let arches = this.byName.get(name);
    if (!arches) {
      arches = new Set();
      this.byName.set(name, arches);
    }
    arches.add(arch);
  }

  /** The skipped names of one ABI. */
  on(arch: Arch): string[] {
    return [...this.byName].filter(([, arches]) => arches.has(arch)).map(([name]) => name);
  }

  /** One line per set of ABIs, in `order`, names sorted: "no syscall on x86_64, x32, so skipped there: _llseek …". */
  notes(order: readonly Arch[]): string[] {
    const groups = new Map<string, string[]>();
    for (const [name, arches] of this.byName) {
      const key = order.filter((a) => arches.has(a)).join(', ');
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    return [...groups]
      .sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1))
      .map(([abis, names]) => `no syscall on ${abis}, so skipped there: ${names.sort().join(' ')}`);
  }
}
