// Syscall names in profiles and on the command line: which ones exist (on any ABI libseccomp knows,
// from src/arch's tables) and "did you mean" suggestions for the ones that do not.
import { allSyscallNames, isSyscallName } from '../../arch/index.js';

/** True when `name` is a syscall on some ABI (not necessarily on one the policy targets). */
export function isKnownSyscall(name: string): boolean {
  return isSyscallName(name);
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` known names closest to `name` (edit distance, then prefix/substring matches). */
export function nearestNames(
  name: string,
  candidates: Iterable<string> = allSyscallNames(),
  max = 3,
): string[] {
  const scored: { name: string; score: number }[] = [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    let score = distance(name, c);
    if (score > limit && (c.startsWith(name) || name.startsWith(c))) score = limit;
    if (score <= limit) scored.push({ name: c, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** ` (did you mean a, b?)` or '' — to append to an error message. */
export function suggestion(name: string, candidates?: Iterable<string>): string {
  const near = nearestNames(name, candidates);
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}
