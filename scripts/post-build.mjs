// After tsc: make the CLI entry executable (tsc does not preserve modes), and compile the native
// launcher (src/tracer/launcher.c) when a C compiler is present. Without one, or if it fails, the
// tracer silently keeps its Node launcher (src/tracer/launcher.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);

const source = fileURLToPath(new URL('../src/tracer/launcher.c', import.meta.url));
const binary = fileURLToPath(new URL('../dist/src/tracer/launcher', import.meta.url));
// Never leave a stale binary behind: it could speak an older job format.
rmSync(binary, { force: true });
try {
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', binary, source], { stdio: 'ignore' });
} catch {
  rmSync(binary, { force: true });
}
