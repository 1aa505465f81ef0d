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
import { copyFileSync } from 'node:fs';
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
});

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
