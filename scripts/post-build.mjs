// After tsc and the bundle: make the CLI executable (esbuild keeps the hashbang, not the mode), and
// compile the native launcher (src/tracer/launcher.c) when a C compiler is present, next to both the
// library's tracer (dist/src/tracer) and the bundled CLI (dist/bin). Without a compiler, or if it
// fails, the tracer silently keeps its Node launcher (src/tracer/launcher.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const entry = path('../dist/bin/profile.cjs');
if (existsSync(entry)) chmodSync(entry, 0o755);

const source = path('../src/tracer/launcher.c');
const binaries = [path('../dist/src/tracer/launcher'), path('../dist/bin/launcher')];
// Never leave a stale binary behind: it could speak an older job format.
for (const binary of binaries) rmSync(binary, { force: true });
try {
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', binaries[0], source], { stdio: 'ignore' });
  copyFileSync(binaries[0], binaries[1]);
} catch {
  for (const binary of binaries) rmSync(binary, { force: true });
}
