// After tsc: bundle the CLI. The library (dist/src, with its .d.ts) stays one file per module for
// callers who import it; the `profile` command is what users start once per test run, and loading a
// graph of ~80 ES modules cost it ≈ 80 ms before the workload could start (`check` has 10% of a
// 2-second run to spend in all). One CommonJS file compiles in one go and, unlike an ES module
// bundle, keeps `await import()` lazy: dependencies only another command needs (yaml, cli-table3)
// are still required only when that command runs. commander is bundled in: every command needs it,
// and its eight files cost ≈ 13 ms to find and compile one by one.
//
//   dist/bin/profile.cjs  the executable (package.json "bin"): cli/entry.cjs, which runs cli.cjs with
//                         the V8 code cache post-build.mjs makes (cli.cjs.v8cache)
//   dist/bin/cli.cjs      the CLI bundle
//   dist/bin/worker.js    the tracer thread `record` boots (src/tracer/warm.ts finds it next to the code)
//   dist/bin/launcher.js  the Node launcher, used where the native one cannot run
//   dist/bin/launcher     the native launcher, copied from dist/src/tracer by post-build.mjs
//   dist/bin/runtime.cjs  the container runtime wrapper and its background recorder (src/container)
//   dist/bin/profile-runtime  its executable: a sh script that finds node (src/container/profile-runtime.sh)
import { copyFileSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Dependencies stay in node_modules: koffi is a native addon, zod is required on first use, and
  // the rest are loaded by the commands that need them.
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * commander requires node:child_process when it loads, for subcommands that are executables (we have
 * none): that loads net and stream, ≈ 9 ms of every start. It gets the module on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/bin/cli.cjs',
  format: 'cjs',
  packages: undefined,
  external: ['koffi', 'zod', 'yaml', 'cli-table3', 'execa'],
  // CommonJS has no import.meta: the sources' `import.meta.url` becomes this file's URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['scripts/bundle/import-meta-url.js'],
  plugins: [lazyChildProcess],
  // Without comments and blanks the file is ≈ 40 % smaller to read and hash at every start, and
  // pure ASCII (non-ASCII in strings is escaped), so cli/entry.cjs reads it as latin1 (no UTF-8
  // decoding). Short identifiers take another quarter off (480 → 362 KB; hyperfine: `record
  // --backend ebpf -- /bin/true` 152 → 140 ms, `check` 303 → 266 ms: this VM faults every page it
  // reads in at ≈ 10 µs); an internal error's stack is mapped back through the source map
  // (cli/stack.ts), so reports still name our functions and files.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  charset: 'ascii',
});
{
  const bytes = readFileSync(new URL('../dist/bin/cli.cjs', import.meta.url));
  const at = bytes.findIndex((c) => c > 0x7f);
  if (at >= 0)
    throw new Error(`dist/bin/cli.cjs has a non-ASCII byte at ${at}: cli/entry.cjs reads it as latin1`);
}

await build({
  ...common,
  entryPoints: ['src/container/runtime-main.ts'],
  outfile: 'dist/bin/runtime.cjs',
  format: 'cjs',
  packages: undefined,
  external: ['koffi', 'zod'],
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['scripts/bundle/import-meta-url.js'],
});
copyFileSync(
  new URL('../src/container/profile-runtime.sh', import.meta.url),
  new URL('../dist/bin/profile-runtime', import.meta.url),
);

copyFileSync(
  new URL('../cli/entry.cjs', import.meta.url),
  new URL('../dist/bin/profile.cjs', import.meta.url),
);

for (const name of ['worker', 'launcher']) {
  await build({
    ...common,
    entryPoints: [`src/tracer/${name}.ts`],
    outfile: `dist/bin/${name}.js`,
    format: 'esm',
  });
}
