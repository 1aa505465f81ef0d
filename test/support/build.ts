// The suite tests the built CLI (dist/bin/profile.cjs) and the compiled launcher and worker, so a
// bare `npx vitest` must never run against a build older than the sources: rebuild first.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['src', 'cli', 'scripts', 'package.json', 'tsconfig.json'];
const OUTPUTS = [
  'dist/bin/profile.cjs',
  'dist/bin/cli.cjs',
  'dist/src/index.js',
  'dist/src/tracer/worker.js',
];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

function oldestOutput(): number | undefined {
  let min = Number.POSITIVE_INFINITY;
  for (const rel of OUTPUTS) {
    try {
      min = Math.min(min, statSync(join(ROOT, rel)).mtimeMs);
    } catch {
      return undefined;
    }
  }
  return min;
}

/** Why dist/ is stale (a missing output, or the newest source), or undefined when it is current. */
export function staleBuild(): string | undefined {
  const built = oldestOutput();
  if (built === undefined) return 'dist/ is missing';
  for (const rel of SOURCES) {
    if (newest(join(ROOT, rel)) > built) return `${rel} is newer than dist/`;
  }
  return undefined;
}

/** Rebuilds when stale; throws one line if the build fails. */
export function ensureFreshBuild(): void {
  const why = staleBuild();
  if (!why) return;
  process.stderr.write(`test: ${why}; running \`npm run build\` first\n`);
  const r = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(`test: \`npm run build\` failed (exit ${r.status}); fix the build first`);
  const still = staleBuild();
  if (still) throw new Error(`test: dist/ is still stale after \`npm run build\` (${still})`);
}
