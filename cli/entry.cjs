#!/usr/bin/env node
// The `profile` executable (dist/bin/profile.cjs): runs the CLI bundle (dist/bin/cli.cjs) with the
// V8 code cache the build made for it (dist/bin/cli.cjs.v8cache, scripts/post-build.mjs).
//
// Why: `check` has 10 % of a 2-second run to spend in all, start-up included, and compiling the
// bundle and the functions a `check` calls was ≈ 17 ms of CPU of it. Node 20 has no compile cache of
// its own (module.enableCompileCache is Node 22), so this does what it would: compile through
// node:vm with the cached data. V8 checks the data against its version, flags and the source, and
// rejects what does not match (another node, a rebuilt bundle); the bundle then compiles as usual.
// Nothing is written at run time, except when the build asks (SECCOMP_PROFILER_CODE_CACHE=write);
// SECCOMP_PROFILER_CODE_CACHE=report says on stderr whether the cache was used.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, 'cli.cjs');
const cacheFile = `${file}.v8cache`;
const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build without one): compile as usual.
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  cachedData,
});
if (process.env.SECCOMP_PROFILER_CODE_CACHE === 'report') {
  const state = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.stderr.write(`profile: code cache ${state}\n`);
}
if (process.env.SECCOMP_PROFILER_CODE_CACHE === 'write') {
  // At exit, so the data holds the functions this run compiled, not only the top level.
  process.on('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  });
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
