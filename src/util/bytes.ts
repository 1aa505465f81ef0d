// Strings the kernel sees as bytes (argv, env, paths): a JS string is their UTF-8 encoding, a
// Uint8Array passes exactly. Node decodes what it reads from the kernel as UTF-8 with U+FFFD for
// invalid bytes, so anything not UTF-8 must travel as bytes to reach a workload unchanged.

import { isUtf8 as bufferIsUtf8 } from 'node:buffer';

/** A string as the kernel sees it: a JS string is encoded as UTF-8, a Uint8Array passes as it is. */
export type ByteString = string | Uint8Array;

/** The bytes of `s` (a view, not a copy, for a Uint8Array). */
export function toBytes(s: ByteString): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
}

/** True when `bytes` are valid UTF-8 (so a JS string holds them exactly). */
export function isUtf8(bytes: Uint8Array): boolean {
  return bufferIsUtf8(bytes);
}

/** Text for messages and the recording's readable fields: invalid UTF-8 shows as U+FFFD. */
export function displayBytes(s: ByteString): string {
  return typeof s === 'string' ? s : toBytes(s).toString('utf8');
}

/** A JS string when the bytes are UTF-8 (the common case), else the bytes themselves. */
export function fromBytes(bytes: Uint8Array): ByteString {
  return isUtf8(bytes) ? Buffer.from(bytes).toString('utf8') : Buffer.from(bytes);
}

/** The exact bytes of every element, base64, when any of them is not UTF-8 (else undefined). */
export function bytesIfNotUtf8(strings: readonly ByteString[]): string[] | undefined {
  if (strings.every((s) => typeof s === 'string')) return undefined; // a JS string is UTF-8
  const raw = strings.map(toBytes);
  return raw.every(isUtf8) ? undefined : raw.map((b) => b.toString('base64'));
}
