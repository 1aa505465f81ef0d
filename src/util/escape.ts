// Text copied from a recording or a profile (argv, cwd, executable and file names) is whatever the
// workload or the file's author chose. Before it goes into a comment, a report line or a terminal,
// every character that could end a line, start a terminal escape sequence, or reorder or hide text
// is written as an escape, in the notation of bash's $'…' so that shell quoting can share it.
//
// Bytes that are not UTF-8 reach us as lone surrogates U+DC80–U+DCFF (Python's "surrogateescape":
// U+DC00 + the byte), the only lossless way to carry them in a JS string and through JSON; they are
// written `\xHH`, the byte itself. Other lone surrogates, which no byte string produces, are `\uXXXX`.

/**
 * Code points written as escapes although they are valid: C1 controls, line and paragraph separators
 * (line breaks to YAML 1.1 and JavaScript), bidi controls, BOM, and the noncharacters YAML forbids.
 */
function isHidden(cp: number): boolean {
  return (
    (cp >= 0x80 && cp <= 0x9f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff ||
    cp === 0xfffe ||
    cp === 0xffff
  );
}

const SHORT: Readonly<Record<number, string>> = { 9: '\\t', 10: '\\n', 13: '\\r', 92: '\\\\' };

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * The escape for one code point (a lone surrogate counts as one), or undefined when it is printed as
 * it is. Backslash is escaped too, so that the escaped text reads back unambiguously.
 */
function escapeOf(cp: number, lone: boolean): string | undefined {
  const short = SHORT[cp];
  if (short !== undefined) return short;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex2(cp)}`;
  if (lone) return cp >= 0xdc80 && cp <= 0xdcff ? `\\x${hex2(cp - 0xdc00)}` : `\\u${hex4(cp)}`;
  if (isHidden(cp)) return `\\u${hex4(cp)}`;
  return undefined;
}

/** The text split into units: printable runs as they are, everything else as its escape. */
export function escapeUnits(text: string): string[] {
  const units: string[] = [];
  let run = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let cp = c;
    let width = 1;
    let lone = false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        width = 2;
      } else lone = true;
    } else if (c >= 0xdc00 && c <= 0xdfff) lone = true;
    const escaped = escapeOf(cp, lone);
    if (escaped === undefined) {
      run += text.slice(i, i + width);
    } else {
      if (run) units.push(run);
      run = '';
      units.push(escaped);
    }
    i += width - 1;
  }
  if (run) units.push(run);
  return units;
}

/**
 * `text` safe for one line of a terminal, a report or a comment: no control character, line or
 * paragraph separator, bidi control or lone surrogate survives, and backslashes are doubled.
 * Plain text (the usual path or command) comes back unchanged.
 */
export function escapeText(text: string): string {
  return needsEscape(text) ? escapeUnits(text).join('') : text;
}

/** True when escapeText would change `text`. */
export function needsEscape(text: string): boolean {
  // Fast path: printable ASCII without a backslash.
  return /[^\x20-\x5b\x5d-\x7e]/.test(text) && escapeUnits(text).some((u) => u.startsWith('\\'));
}

/** The payload bits of a UTF-8 lead byte, by the number of continuation bytes that follow it. */
const LEAD_BITS: readonly number[] = [0x7f, 0x1f, 0x0f, 0x7];

/**
 * Bytes as a string without loss: valid UTF-8 decoded, every other byte as the lone surrogate
 * U+DC00 + byte (surrogateescape), which escapeText and shellQuote write back as `\xHH`.
 */
export function decodeSurrogateEscape(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    let cp = need < 0 ? b : b & LEAD_BITS[need]!;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (
      ok &&
      ((need === 2 && cp < 0x800) ||
        (need === 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
    )
      ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}
