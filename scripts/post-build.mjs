// After tsc and the bundle: make the CLI executable (a copied file keeps no mode we can rely on), and
// compile the native launcher (src/tracer/launcher.c) and the loop's hot path (fast-stops.c) when a C
// compiler is present, next to both the library's tracer (dist/src/tracer) and the bundled CLI
// (dist/bin). Without a compiler, or if it fails, the tracer keeps its Node launcher
// (src/tracer/launcher.ts) and its JavaScript hot path.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const entry = path('../dist/bin/profile.cjs');
if (existsSync(entry)) chmodSync(entry, 0o755);
const runtimeWrapper = path('../dist/bin/profile-runtime');
if (existsSync(runtimeWrapper)) chmodSync(runtimeWrapper, 0o755);

/** Compiles src/tracer/<source> into dist/src/tracer/<name> and dist/bin/<name>, or leaves neither. */
function compile(source, name, flags) {
  const binaries = [path(`../dist/src/tracer/${name}`), path(`../dist/bin/${name}`)];
  // Never leave a stale binary behind: it could speak an older job format.
  for (const binary of binaries) rmSync(binary, { force: true });
  try {
    const input = path(`../src/tracer/${source}`);
    execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', ...flags, '-o', binaries[0], input], {
      stdio: 'ignore',
    });
    copyFileSync(binaries[0], binaries[1]);
  } catch {
    for (const binary of binaries) rmSync(binary, { force: true });
  }
}
compile('launcher.c', 'launcher', []);
// The trace loop's native hot path (src/tracer/fast-stops.ts); without it the loop does the same in JS.
compile('fast-stops.c', 'fast-stops.so', ['-shared', '-fPIC']);

// The V8 code cache for the CLI bundle (read by cli/entry.cjs): real runs of /bin/true (`check`
// under an allow-everything profile, `record`) write what they compiled. Best effort: where it cannot run
// (no ptrace in a build container, say) the CLI just compiles at start-up as before.
const cache = path('../dist/bin/cli.cjs.v8cache');
rmSync(cache, { force: true });
const work = mkdtempSync(join(tmpdir(), 'profile-build-'));
try {
  const allowAll = join(work, 'allow-all.json');
  writeFileSync(allowAll, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }));
  // Each run starts from the cache the one before wrote, so the data adds up: `check`, then both
  // `record` backends (the eBPF one only where it loads: as root; a refusal still adds its path).
  const runs = [
    ['check', '--profile', allowAll, '--', '/bin/true'],
    ['record', '-q', '-o', join(work, 'rec.json'), '--', '/bin/true'],
    ['record', '-q', '--backend', 'ebpf', '-o', join(work, 'rec.json'), '--', '/bin/true'],
  ];
  for (const args of runs) {
    try {
      execFileSync(process.execPath, [entry, ...args], {
        stdio: 'ignore',
        env: { ...process.env, SECCOMP_PROFILER_CODE_CACHE: 'write' },
        // Each takes a tenth of a second; a build must never hang on one.
        timeout: 30_000,
      });
    } catch {
      // Whatever the run wrote is still valid data for the functions it compiled.
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
