// Atomic file writes: temp file in the target's directory, fsync, rename (see output.ts for what
// symlinks, devices, descriptors and FIFOs get).
import { reserveOutput } from './output.js';

/**
 * Writes `data` to `path` so readers see the old file or the whole new one, never a torn one.
 * Symlinks are followed and stay; /dev/null and /dev/stdout are written through, never replaced.
 * `mode` (umask applies) is the new file's; without it a replaced file keeps its own.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  reserveOutput(path, mode === undefined ? {} : { mode }).write(data);
}

/**
 * Fails early, before any work, when `path` could not be written later. Prefer reserveOutput(),
 * which keeps the reservation (the temp file) for the final write.
 */
export function assertWritable(path: string): void {
  reserveOutput(path).discard();
}
