// escapeText leaves nothing that ends a line or moves the cursor, and can be read back; shellQuote
// gives words that bash turns back into the recorded bytes.
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSurrogateEscape, escapeText } from '../../src/util/escape.js';
import { shellCommand, shellQuote } from '../../src/util/shell-quote.js';

/** The inverse of escapeText (\xHH ≥ 0x80 is the surrogateescape byte U+DC00+HH). */
function readEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[tnr\\])/g, (_m, e: string) => {
    if (e === 't') return '\t';
    if (e === 'n') return '\n';
    if (e === 'r') return '\r';
    if (e === '\\') return '\\';
    const n = Number.parseInt(e.slice(1), 16);
    return String.fromCharCode(e[0] === 'x' && n >= 0x80 ? 0xdc00 + n : n);
  });
}

/** The bytes a string stands for: UTF-8, with lone U+DC80–U+DCFF as the raw byte. */
function bytesOf(word: string): Buffer {
  const parts: Buffer[] = [];
  for (const piece of word.split(/((?<![\ud800-\udbff])[\udc80-\udcff])/)) {
    if (/^[\udc80-\udcff]$/.test(piece)) parts.push(Buffer.from([piece.charCodeAt(0) - 0xdc00]));
    else parts.push(Buffer.from(piece, 'utf8'));
  }
  return Buffer.concat(parts);
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\n', '\r', '\\', '\u0085', '\u2028', '\u202e', '\udc80', 'a', "'", '*', '/'),
    maxLength: 20,
  }),
);

describe('escapeText', () => {
  it('leaves plain paths alone', () => {
    expect(escapeText('/usr/bin/python3 -c "print(1)" é 中')).toBe('/usr/bin/python3 -c "print(1)" é 中');
  });

  it('escapes line breaks, terminal escapes, bidi and non-UTF-8 bytes', () => {
    expect(escapeText('a\nb\r\u001b[2J\u2028\u0085\u202e\udc80\ud800\\')).toBe(
      'a\\nb\\r\\x1b[2J\\u2028\\u0085\\u202e\\x80\\ud800\\\\',
    );
  });

  it('never leaves a control, separator or lone surrogate, and reads back', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = escapeText(text);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
        expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        expect(readEscapes(out)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('shellQuote', () => {
  it('quotes only what needs it', () => {
    expect(shellCommand(['/bin/ls', '-la', 'a b', "it's", '', 'x\ny'])).toBe(
      "/bin/ls -la 'a b' 'it'\\''s' '' $'x\\ny'",
    );
    expect(shellCommand(['A=1', 'b=2'])).toBe("'A=1' b=2");
  });

  it('bash reads every quoted word back as the recorded bytes', async () => {
    const words = fc.sample(
      anyText.filter((w) => !w.includes('\u0000') && !/[\ud800-\udbff](?![\udc00-\udfff])/.test(w)),
      { numRuns: 300, seed: 11 },
    );
    const noLoneHigh = words.map((w) => w.replace(/(?<![\ud800-\udbff])[\udc00-\udc7f\udd00-\udfff]/g, 'z'));
    const script = noLoneHigh.map((w) => `printf '%s\\0' ${shellQuote(w)}`).join('\n');
    const r = await execa('bash', ['-c', script], { encoding: 'buffer', env: { LC_ALL: 'C.UTF-8' } });
    const got = Buffer.from(r.stdout);
    expect(
      got.equals(Buffer.concat(noLoneHigh.map((w) => Buffer.concat([bytesOf(w), Buffer.from([0])])))),
    ).toBe(true);
  });
});

describe('decodeSurrogateEscape', () => {
  it('keeps every byte: UTF-8 decoded, the rest as U+DC00+byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const text = decodeSurrogateEscape(bytes);
        expect(bytesOf(text).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes valid UTF-8 as TextDecoder does, and refuses overlong forms and surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
        expect(decodeSurrogateEscape(Buffer.from(s))).toBe(s);
      }),
    );
    expect(decodeSurrogateEscape(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff]))).toBe(
      '\udcc0\udcaf\udced\udca0\udc80\udcff',
    );
  });
});
