// The bundle's identifiers are minified: an internal error's frames are mapped back through the
// source map to the files and lines they came from (cli/stack.ts), using the real build.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapStack } from '../../cli/stack.js';

const bundle = fileURLToPath(new URL('../../dist/bin/cli.cjs', import.meta.url));
const loop = fileURLToPath(new URL('../../src/tracer/loop.ts', import.meta.url));

/** 1-based line and column of `needle` in `text`. */
function position(text: string, needle: string): [number, number] {
  const at = text.indexOf(needle);
  expect(at, needle).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at).split('\n');
  return [before.length, before.at(-1)!.length + 1];
}

describe('mapStack', () => {
  it('points a bundle frame at the source file and line it was built from', () => {
    const needle = 'waitpid failed: errno';
    const [line, column] = position(readFileSync(bundle, 'latin1'), needle);
    const [srcLine] = position(readFileSync(loop, 'utf8'), needle);
    const stack = `Error: boom\n    at Qe (${bundle}:${line}:${column})\n    at ${bundle}:${line}:${column}\n    at node:internal/main:1:1`;
    const mapped = mapStack(stack).split('\n');
    expect(mapped[0]).toBe('Error: boom');
    expect(mapped[1]).toMatch(new RegExp(`^    at Qe \\(${loop}:${srcLine}:\\d+\\)$`));
    expect(mapped[2]).toMatch(new RegExp(`^    at ${loop}:${srcLine}:\\d+$`));
    expect(mapped[3]).toBe('    at node:internal/main:1:1');
  });

  it('leaves frames alone where there is no source map', () => {
    const stack = 'Error: boom\n    at f (/nonexistent/x.cjs:3:4)';
    expect(mapStack(stack)).toBe(stack);
  });
});
