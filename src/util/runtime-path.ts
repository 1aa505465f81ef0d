// Files that run in another process or worker must be compiled JS, even when the caller
// is TypeScript loaded by vitest. This maps a module URL under src/ to its twin under dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the compiled JS for `relative` (e.g. '../tracer/launcher.js') resolved
 * against `base` (an import.meta.url). Under vitest `base` is a .ts file in src/, so we look in dist/.
 */
export function runtimeFile(relative: string, base: string): string {
  const direct = fileURLToPath(new URL(relative, base));
  if (existsSync(direct)) return direct;
  const distPath = direct.replace(/\/(src|cli)\//, '/dist/$1/');
  if (existsSync(distPath)) return distPath;
  throw new Error(`compiled file missing: ${distPath} (run \`npm run build\`)`);
}
