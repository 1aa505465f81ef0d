// koffi, loaded the fast way. koffi's package entry (index.js) starts by requiring its installer
// helpers, which pull in https, zlib and crypto: ≈ 16 ms of every start-up, in every thread that
// loads it, spent before the first syscall of a `check` or `enforce` workload. The prebuilt addon it
// then loads is the whole API (the entry only adds deprecated aliases we do not use), so we load that
// addon directly when it is there and matches the installed package, and fall back to the package
// entry otherwise (another platform, a musl build, a koffi built from source).
import { createRequire } from 'node:module';
import type Koffi from 'koffi';

const require = createRequire(import.meta.url);

function prebuiltTriplet(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (process.arch === 'x64') return 'linux_x64';
  if (process.arch === 'arm64') return 'linux_arm64';
  return undefined;
}

function loadKoffi(): typeof Koffi {
  const triplet = prebuiltTriplet();
  if (triplet !== undefined && process.env.SECCOMP_PROFILER_KOFFI !== 'package') {
    try {
      const { version } = require('koffi/package.json') as { version: string };
      const native = require(`koffi/build/koffi/${triplet}/koffi.node`) as typeof Koffi & { version: string };
      if (native.version === version) return native;
    } catch {
      // glibc mismatch, a missing prebuilt, or exports that forbid the path: use the package entry.
    }
  }
  return require('koffi') as typeof Koffi;
}

export const koffi: typeof Koffi = loadKoffi();
