// Comment lines of the text outputs (systemd and YAML `#`, C ` *`, listing `;`). They copy text from
// recordings and profiles (cwd, argv, file names), so each line is made safe for every one of those
// syntaxes at once:
// - no line break of any parser survives (\n, \r, NUL for systemd; NEL, U+2028/9 for YAML 1.1), nor
//   any other control, bidi or invisible character (util/escape.ts);
// - a line never ends in an odd backslash (systemd would join the next line to it): backslashes are
//   doubled and escapes are never cut in two;
// - `*/` and `/*` never appear (C: the first ends the comment, the second is a -Wcomment warning);
// - no line is longer than MAX_LINE_BYTES: systemd before v240 read lines with fgets(LINE_MAX) and
//   took the rest of a longer line for a new line.
import { escapeUnits } from '../../util/escape.js';

/** Longest comment text per line, in UTF-8 bytes; longer lines continue on the next one. */
export const MAX_LINE_BYTES = 1000;

/** Splits printable runs where C's comment delimiters would appear, and escapes their slash. */
function withoutCommentDelimiters(units: readonly string[]): string[] {
  const out: string[] = [];
  for (const unit of units) {
    if (unit.startsWith('\\') || !/\*\/|\/\*/.test(unit)) {
      out.push(unit);
      continue;
    }
    let rest = '';
    for (let i = 0; i < unit.length; i++) {
      const c = unit[i]!;
      if (c === '/' && (unit[i - 1] === '*' || unit[i + 1] === '*')) {
        if (rest) out.push(rest);
        rest = '';
        out.push('\\x2f');
      } else rest += c;
    }
    if (rest) out.push(rest);
  }
  return out;
}

/** Printable runs longer than `max` bytes cut into pieces (never inside a surrogate pair). */
function pieces(unit: string, max: number): string[] {
  if (Buffer.byteLength(unit) <= max) return [unit];
  const out: string[] = [];
  let piece = '';
  for (const ch of unit) {
    if (Buffer.byteLength(piece) + Buffer.byteLength(ch) > max) {
      out.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece) out.push(piece);
  return out;
}

/** One line of text as one or more safe comment texts (without the prefix). */
export function commentTexts(text: string, max = MAX_LINE_BYTES): string[] {
  const units = withoutCommentDelimiters(escapeUnits(text)).flatMap((u) => pieces(u, max));
  const lines: string[] = [];
  let line = '';
  for (const unit of units) {
    if (line && Buffer.byteLength(line) + Buffer.byteLength(unit) > max) {
      lines.push(line);
      line = '';
    }
    line += unit;
  }
  lines.push(line);
  return lines;
}

/**
 * `lines` as comment lines starting with `prefix` (`#`, ` *`, `;` …), no trailing newline; a line
 * too long for one comment line continues on the next, indented.
 */
export function commentLines(prefix: string, lines: readonly string[]): string {
  return lines
    .flatMap((line) => commentTexts(line).map((text, i) => `${prefix} ${i ? '  ' : ''}${text}`))
    .join('\n');
}
