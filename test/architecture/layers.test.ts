// The layering ARCHITECTURE.md documents, checked on the source: imports only point down the layers
// (or within a module's own group), there are no import cycles, and each kernel fact has one home.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Groups, lowest first. A file may import from its own group or from a group of a lower rank.
 * Groups of equal rank are siblings and must not import each other (the recording and the BPF
 * toolkit; input/ and emit/, which sit on either side of the IR).
 */
const LAYERS: readonly {
  readonly group: string;
  readonly rank: number;
  readonly paths: readonly string[];
}[] = [
  { group: 'base', rank: 0, paths: ['src/errors.ts', 'src/version.ts', 'src/util/', 'src/arch/'] },
  { group: 'recording', rank: 1, paths: ['src/recording/'] },
  { group: 'bpf', rank: 1, paths: ['src/generator/bpf/'] },
  { group: 'tracer', rank: 2, paths: ['src/tracer/'] },
  { group: 'consumers', rank: 2, paths: ['src/consumers/'] },
  { group: 'policy', rank: 3, paths: ['src/generator/policy/'] },
  { group: 'seccomp', rank: 4, paths: ['src/generator/seccomp/'] },
  { group: 'input', rank: 5, paths: ['src/generator/input/'] },
  { group: 'emit', rank: 5, paths: ['src/generator/emit/'] },
  { group: 'generator', rank: 6, paths: ['src/generator/index.ts', 'src/generator/convert.ts'] },
  { group: 'enforcer', rank: 7, paths: ['src/enforcer/'] },
  { group: 'container', rank: 8, paths: ['src/container/'] },
  { group: 'api', rank: 9, paths: ['src/testing/', 'src/index.ts'] },
  { group: 'cli', rank: 10, paths: ['cli/'] },
];

function layerOf(file: string): (typeof LAYERS)[number] {
  const layer = LAYERS.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
  if (!layer) throw new Error(`${file} is in no layer: add it to LAYERS and to ARCHITECTURE.md`);
  return layer;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Relative imports of a file (static, re-exports and dynamic), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const FILES = [...sources('src'), ...sources('cli')];
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f).filter((t) => FILES.includes(t))]));

/** Every strongly connected component with more than one file (or a self-import): the cycles. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of GRAPH.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || GRAPH.get(v)?.includes(v)) out.push(scc.sort());
    }
  };
  for (const f of FILES) if (!idx.has(f)) visit(f);
  return out;
}

/** Lines of src/ (outside the generated tables) matching `pattern`, as `file:line: text`. */
function grep(pattern: RegExp, except: (file: string) => boolean): string[] {
  const hits: string[] = [];
  for (const file of FILES.filter((f) => f.startsWith('src/') && !except(f))) {
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line))
          hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

describe('layering', () => {
  it('sees the whole source tree', () => {
    expect(FILES.length).toBeGreaterThan(80);
    for (const file of FILES) layerOf(file);
  });

  it('imports only point down the layers, or within a group', () => {
    const upward: string[] = [];
    for (const [file, targets] of GRAPH) {
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        if (to.group !== from.group && to.rank >= from.rank)
          upward.push(`${file} (${from.group}) imports ${target} (${to.group})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('the checks can fail: a cycle and an upward edge are found when planted', () => {
    GRAPH.set('src/arch/errno.ts', [...(GRAPH.get('src/arch/errno.ts') ?? []), 'src/tracer/loop.ts']);
    try {
      expect(cycles().length).toBeGreaterThan(0);
      expect(layerOf('src/tracer/loop.ts').rank).toBeGreaterThan(layerOf('src/arch/errno.ts').rank);
    } finally {
      GRAPH.set(
        'src/arch/errno.ts',
        GRAPH.get('src/arch/errno.ts')!.filter((t) => t !== 'src/tracer/loop.ts'),
      );
    }
  });
});

describe('one home for each fact', () => {
  const generated = (f: string) => f.startsWith('src/arch/tables/');

  it('SECCOMP_RET_* values are written only in src/arch/seccomp.ts', () => {
    const values =
      /0x7fff0000|0x7ffc0000|0x7ff00000|0x7fc00000|0x0005_?0000|0x0003_?0000|SECCOMP_RET_\w+\s*=/i;
    expect(grep(values, (f) => f === 'src/arch/seccomp.ts')).toEqual([]);
  });

  it('the tracer holds no syscall-number literals (it asks src/arch)', () => {
    // NR_SLOTS is the counters' table size, not a syscall.
    const literal =
      /\b(NR|SYS)_(?!SLOTS\b)[A-Z0-9_]+\s*=\s*\d|syscall\(\s*\d|===?\s*(59|322|203|204|241|242)\b/;
    expect(grep(literal, (f) => !f.startsWith('src/tracer/') || f === 'src/tracer/constants.ts')).toEqual([]);
  });

  it('BPF opcodes are decoded only in bpf/types.ts (no raw masks elsewhere)', () => {
    const mask = /\bcode\s*&|&\s*0x(07|18|e0|f0|f8)\b/;
    expect(grep(mask, (f) => f === 'src/generator/bpf/types.ts')).toEqual([]);
  });

  it('the errno table is built once, from os.constants.errno', () => {
    expect(grep(/constants\.errno|osConstants\.errno/, (f) => f === 'src/arch/errno.ts')).toEqual([]);
  });

  it('no file in src/ is over 300 lines, except the generated tables', () => {
    const long = FILES.filter((f) => f.startsWith('src/') && !generated(f))
      .map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });
});
