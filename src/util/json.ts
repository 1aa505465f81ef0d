// A strict JSON reader for profiles: errors carry line and column, and integers past
// Number.MAX_SAFE_INTEGER stay exact (as bigint), since seccomp argument values are 64-bit.
import { ProfilerError } from '../errors.js';

/** A parsed JSON value; integers that a double cannot hold exactly are bigints. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

class Reader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly source: string,
  ) {}

  fail(message: string, at = this.pos): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new ProfilerError('BAD_INPUT', `${this.source}:${line}:${col}: invalid JSON: ${message}`);
  }

  skip(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else return;
    }
  }

  describe(): string {
    return this.pos >= this.text.length ? 'end of input' : `\`${this.text[this.pos]}\``;
  }

  value(): JsonValue {
    this.skip();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected ${this.describe()}`);
    }
  }

  literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`unexpected ${this.describe()}`);
  }

  number(): number | bigint {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) return this.fail(`bad number at ${this.describe()}`);
    this.pos += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) return this.fail('unterminated string', start);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(Number.parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else return this.fail('bad escape in string');
        continue;
      }
      if (c.charCodeAt(0) < 0x20) return this.fail('control character in string');
      out += c;
      this.pos++;
    }
  }

  array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skip();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      return this.fail(`expected \`,\` or \`]\`, got ${this.describe()}`);
    }
  }

  object(): { [key: string]: JsonValue } {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') return this.fail(`expected a property name, got ${this.describe()}`);
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') return this.fail(`expected \`:\`, got ${this.describe()}`);
      this.pos++;
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true });
      this.skip();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      return this.fail(`expected \`,\` or \`}\`, got ${this.describe()}`);
    }
  }
}

/** Arrays and objects nested deeper than this are refused: no profile or recording comes close. */
export const MAX_JSON_DEPTH = 100;

/** `text` without a leading byte order mark (U+FEFF), which some editors write. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * JSON file bytes as text. A UTF-8 byte order mark is dropped, for recordings and profiles alike;
 * UTF-16 and UTF-32 (JSON must be UTF-8, RFC 8259) are refused with one line instead of being
 * misread as binary.
 */
export function decodeJsonBytes(bytes: Uint8Array, source: string): string {
  const [a, b, c, d] = bytes;
  const utf32 =
    (a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe && d === 0xff);
  const utf16 = !utf32 && ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff));
  if (utf32 || utf16)
    throw new ProfilerError(
      'BAD_INPUT',
      `${source}: ${utf32 ? 'UTF-32' : 'UTF-16'} text (byte order mark); JSON files must be UTF-8`,
    );
  return stripBom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

/**
 * Throws BAD_INPUT (`source:line:col: invalid JSON: nested deeper than 100 levels`) when arrays and
 * objects nest deeper than MAX_JSON_DEPTH. One pass over the text, strings skipped; run before any
 * recursive reader (ours, or zod after JSON.parse) sees the document, so depth cannot exhaust the stack.
 */
export function assertJsonDepth(text: string, source: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string: up to the next quote not escaped by a backslash.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) new Reader(text, source).fail(`nested deeper than ${max} levels`, i);
    } else if (c === 93 || c === 125) depth--;
  }
}

/** Parses JSON text; errors read `source:line:col: invalid JSON: …`. */
export function parseJson(text: string, source: string): JsonValue {
  const body = stripBom(text);
  assertJsonDepth(body, source);
  const reader = new Reader(body, source);
  const value = reader.value();
  reader.skip();
  if (reader.pos < reader.text.length) reader.fail(`unexpected ${reader.describe()} after the end`);
  return value;
}

/**
 * JSON text with bigints written as exact integers, indented by two spaces. The bigints travel as
 * marked strings; the marker holds a per-call random part, so no string copied from a recording can
 * pose as one and come out as a bare number.
 */
export function stringifyJson(value: unknown): string {
  const marker = `\u0000big${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${marker}${v}` : v), 2);
  return text.replace(new RegExp(`"\\\\u0000${marker.slice(1)}(-?\\d+)"`, 'g'), '$1');
}

/**
 * Compact JSON in printable ASCII only: everything else is a \uXXXX escape. For JSON embedded in
 * another syntax (a YAML annotation), where a raw U+2028 or NEL would be a line break.
 */
export function stringifyJsonAscii(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
