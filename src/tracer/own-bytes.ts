// The calling process's own argv, environment and cwd as the bytes the kernel holds. Node decodes
// them as UTF-8 with U+FFFD for invalid bytes (process.argv, process.env, process.cwd()), and
// process.cwd() throws in a deleted directory; /proc/self has the bytes. Read only when the
// decoded text shows a U+FFFD, so the common case costs nothing.
import { readFileSync, readlinkSync } from 'node:fs';
import { type ByteString, isUtf8 } from '../util/bytes.js';

const REPLACEMENT = '\uFFFD';

function splitNul(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let end = buf.indexOf(0, at); end >= 0; end = buf.indexOf(0, at)) {
    out.push(buf.subarray(at, end));
    at = end + 1;
  }
  if (at < buf.length) out.push(buf.subarray(at));
  return out;
}

function readOr(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `command`, the tail of this process's argv as Node decoded it, with the exact bytes of every
 * argument that is not UTF-8 (from /proc/self/cmdline). Arguments that are UTF-8 stay strings.
 */
export function argvBytes(command: readonly string[]): ByteString[] {
  if (!command.some((a) => a.includes(REPLACEMENT))) return [...command];
  const raw = readOr('/proc/self/cmdline');
  if (!raw) return [...command];
  const all = splitNul(raw);
  const tail = all.slice(all.length - command.length);
  if (tail.length !== command.length || tail.some((b, i) => b.toString('utf8') !== command[i])) {
    return [...command]; // argv was changed in JS: the strings are all there is
  }
  return tail.map((b, i) => (isUtf8(b) ? command[i]! : Buffer.from(b)));
}

/**
 * `env` as `NAME=value` entries, in order. An entry Node decoded with a U+FFFD that this process's
 * environment holds (/proc/self/environ) is passed as those exact bytes.
 */
export function envEntries(env: NodeJS.ProcessEnv): ByteString[] {
  const entries: ByteString[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) entries.push(`${k}=${v}`);
  if (!entries.some((e) => (e as string).includes(REPLACEMENT))) return entries;
  const raw = readOr('/proc/self/environ');
  if (!raw) return entries;
  const bytes = new Map<string, Buffer>();
  for (const b of splitNul(raw)) if (!isUtf8(b)) bytes.set(b.toString('utf8'), Buffer.from(b));
  return entries.map((e) => bytes.get(e as string) ?? e);
}

/**
 * Where this process is: its path as bytes and as text, and whether it still exists. Works in a
 * deleted directory too (the kernel's name for it then ends in " (deleted)"), where process.cwd()
 * throws.
 */
export function ownCwd(): { readonly bytes: ByteString; readonly text: string; readonly exists: boolean } {
  let exists = true;
  try {
    const text = process.cwd();
    if (!text.includes(REPLACEMENT)) return { bytes: text, text, exists };
  } catch {
    exists = false;
  }
  try {
    const bytes = readlinkSync('/proc/self/cwd', { encoding: 'buffer' });
    return { bytes: isUtf8(bytes) ? bytes.toString('utf8') : bytes, text: bytes.toString('utf8'), exists };
  } catch {
    return { bytes: '.', text: '.', exists };
  }
}
