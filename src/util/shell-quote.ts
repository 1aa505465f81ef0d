// argv as a line a user can paste into bash (or zsh, ksh): words that need no quoting stay bare,
// printable words go in single quotes, and words with control characters, non-UTF-8 bytes or
// invisible characters use $'…' with the escapes of escape.ts, so the pasted line runs exactly the
// recorded bytes.
import { escapeUnits } from './escape.js';

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, quoted for the shell when it needs it. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (BARE.test(word)) return word;
  const units = escapeUnits(word);
  if (units.every((u) => !u.startsWith('\\') || u === '\\\\')) return `'${word.replace(/'/g, "'\\''")}'`;
  return `$'${units.map((u) => (u.startsWith('\\') ? u : u.replace(/'/g, "\\'"))).join('')}'`;
}

/**
 * A command line: each word quoted. A first word with `=` is quoted too: bare, the shell would
 * take it for a variable assignment.
 */
export function shellCommand(argv: readonly string[]): string {
  return argv
    .map((word, i) => (i === 0 && word.includes('=') && BARE.test(word) ? `'${word}'` : shellQuote(word)))
    .join(' ');
}
