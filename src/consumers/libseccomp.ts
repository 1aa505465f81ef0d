// The system's libseccomp (libseccomp.so.2, through koffi), asked which syscall names it knows.
// Container runtimes and systemd that link it resolve a profile's names with it and skip, without a
// word, the names it does not know. Distributions patch its table without changing the version
// (Debian 12's 2.5.4-1+deb12u1 knows Linux 6.7's calls), so only the library can say what it knows.
import { createRequire } from 'node:module';
import type Koffi from 'koffi';
import type { Arch, LibseccompVersion } from '../arch/index.js';
import { scmpArchToken } from '../arch/scmp.js';

/** What the loaded library says about itself and about names. */
export interface LibseccompLibrary {
  /** seccomp_version(). */
  readonly version: LibseccompVersion;
  /**
   * True when it puts `name` in `arch`'s filter: a number, or on i386 the socketcall()/ipc()
   * multiplexer (pseudo numbers -101…-120 and -201…-224). False for a name it does not know, or knows on other
   * ABIs only.
   */
  resolves(arch: Arch, name: string): boolean;
}

let loaded: LibseccompLibrary | null | undefined;

/** libseccomp.so.2 as this process loads it, or undefined when it cannot be loaded. Loaded once. */
export function systemLibseccomp(): LibseccompLibrary | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const so = koffi.load('libseccomp.so.2');
    const Version = koffi.struct({ major: 'unsigned int', minor: 'unsigned int', micro: 'unsigned int' });
    const version = so.func('seccomp_version', koffi.pointer(Version), []);
    const resolve = so.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)');
    const v = koffi.decode(version(), Version) as { major: number; minor: number; micro: number };
    const cache = new Map<string, boolean>();
    loaded = {
      version: [v.major, v.minor, v.micro],
      resolves(arch, name) {
        const key = `${arch}:${name}`;
        let known = cache.get(key);
        if (known === undefined) {
          const nr = resolve(scmpArchToken(arch), name) as number;
          known = nr >= 0 || (nr <= -101 && nr >= -120) || (nr <= -201 && nr >= -224);
          cache.set(key, known);
        }
        return known;
      },
    };
  } catch {
    loaded = null;
  }
  return loaded ?? undefined;
}
