#!/bin/sh
':' //; ign=; { while read -r k v; do [ "$k" = SigIgn: ] && ign=$v; done </proc/self/status; } 2>/dev/null
':' //; fds=; for f in /proc/self/fd/*; do [ -e "$f" ] && ! [ "$f" -ef "$0" ] && fds="$fds,${f##*/}"; done
':' //; [ -n "$ign" ] && SECCOMP_PROFILER_INHERITED="sigign=$ign fds=${fds#,}" exec node "$0" "$@"
':' //; exec node "$0" "$@"
// The `profile` executable (dist/bin/profile.cjs): a POSIX sh script and a CommonJS module at once.
//
// As a script (how `profile` runs from PATH or npx) the lines above run first, in sh, without a
// fork: they note what this process inherited before Node's start-up changes it (Node resets
// inherited SIG_IGN dispositions to the default, marks inherited fds close-on-exec and opens
// /dev/null on a closed stdio fd), then exec node on this same file. To JS those lines are string
// directives and comments. Run as `node profile.cjs`, the same facts are estimated below from what
// Node left (src/tracer/inherit.ts says what the tracer does with them). biome.json leaves this file
// unformatted: the `;` it would add after each `':'` would end those sh lines there.
//
// Then it runs the CLI bundle (dist/bin/cli.cjs) with the V8 code cache the build made for it
// (dist/bin/cli.cjs.v8cache, scripts/post-build.mjs).
//
// Why: `check` has 10 % of a 2-second run to spend in all, start-up included, and compiling the
// bundle and the functions a `check` calls was ≈ 17 ms of CPU of it. Node 20 has no compile cache of
// its own (module.enableCompileCache is Node 22), so this does what it would: compile through
// node:vm with the cached data. V8 checks the data against its version, flags and the source, and
// rejects what does not match (another node, a rebuilt bundle); the bundle then compiles as usual.
// Nothing is written at run time, except when the build asks (SECCOMP_PROFILER_CODE_CACHE=write);
// SECCOMP_PROFILER_CODE_CACHE=report says on stderr whether the cache was used.
'use strict';
if (process.env.XT) process.stderr.write(`T entry ${process.hrtime.bigint()}\n`);
const { readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } = require('node:fs');

/** What this process inherited: fds (kept at their numbers for the workload) and ignored signals. */
function inherited() {
  const given = process.env.SECCOMP_PROFILER_INHERITED;
  delete process.env.SECCOMP_PROFILER_INHERITED;
  const m = given === undefined ? null : /^sigign=([0-9a-fA-F]{1,16}) fds=([0-9,]*)$/.exec(given);
  if (m) {
    const mask = BigInt(`0x${m[1]}`);
    const ignoredSignals = [];
    for (let sig = 1; sig <= 64; sig++) if ((mask >> BigInt(sig - 1)) & 1n) ignoredSignals.push(sig);
    return { fds: m[2] === '' ? [] : m[2].split(',').map(Number), ignoredSignals, exact: true };
  }
  // Started as `node profile.cjs`: Node's own fds are its event loops' epoll and eventfd fds and pipe
  // pairs whose two ends it holds; a stdio fd it found closed got /dev/null opened read-write (a
  // shell's `</dev/null` is read-only). Ignored signals were already reset: none can be known.
  const fds = [];
  const pipes = new Map();
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    let target;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the directory readdirSync itself had open
    }
    if (target === 'anon_inode:[eventpoll]' || target === 'anon_inode:[eventfd]') continue;
    if (fd <= 2 && target === '/dev/null') {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${name}`, 'utf8'));
      if (flags && (Number.parseInt(flags[1], 8) & 3) === 2) continue;
    }
    if (target.startsWith('pipe:')) pipes.set(target, (pipes.get(target) ?? 0) + 1);
    fds.push([fd, target]);
  }
  // A make jobserver (make 4.3) is a pipe pair too: keep the fds MAKEFLAGS names.
  const jobserver = /--jobserver-(?:auth|fds)=(\d+),(\d+)/.exec(process.env.MAKEFLAGS ?? '');
  const named = jobserver ? [Number(jobserver[1]), Number(jobserver[2])] : [];
  return {
    fds: fds.filter(([fd, target]) => pipes.get(target) !== 2 || named.includes(fd)).map(([fd]) => fd),
    ignoredSignals: [],
    exact: false,
  };
}
// First of all: anything opened from here on would look inherited.
globalThis[Symbol.for('seccomp-profiler.inherited')] = inherited();

const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, 'cli.cjs');
const cacheFile = `${file}.v8cache`;
// latin1: the bundle is pure ASCII (scripts/bundle.mjs checks), and a one-byte string needs no decoding.
const source = readFileSync(file, 'latin1').replace(/^#!.*/, '');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build without one): compile as usual.
}
if (process.env.XT) process.stderr.write(`T read ${process.hrtime.bigint()}\n`);
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
if (process.env.XT) process.stderr.write(`T compiled ${process.hrtime.bigint()}\n`);
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
