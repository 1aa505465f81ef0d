// An internal error's stack, mapped back to our sources. The published CLI is one bundle with short
// identifiers (scripts/bundle.mjs), so its raw frames read `at Qe (…/dist/bin/cli.cjs:2:81234)`;
// the source map beside it (cli.cjs.map) turns each into `…/src/tracer/loop.ts:131:15`. Loaded
// only when such a report is printed: Node's own source-map support would cost every start.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';

const FRAME = /(\/[^\s():]*\.cjs):(\d+):(\d+)/g;

/** `stack` with every frame in a bundle that has a source map pointed at the original file. */
export function mapStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
      } catch {
        maps.set(file, undefined);
      }
    }
    return maps.get(file);
  };
  return stack.replace(FRAME, (frame, file: string, line: string, column: string) => {
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return frame;
    const source = resolve(dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}
