// Generates src/arch/tables/* from the vendored data in data/ (libseccomp's syscall table, the
// libseccomp first-release table, the kernel-release list). Nothing is read from the build machine.
// Usage: npx tsx scripts/gen-syscall-tables.ts [--check]
//   --check  write nothing; exit 1 when a generated file differs from what the data gives.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSyscallData } from './syscall-tables/data.js';
import { renderTables, TABLES_DIR } from './syscall-tables/render.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const files = renderTables(readSyscallData(join(root, 'data')));
const stale = readdirSync(join(root, TABLES_DIR))
  .map((f) => `${TABLES_DIR}/${f}`)
  .filter((f) => !files.has(f));

let drift = false;
for (const [file, text] of files) {
  const path = join(root, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    drift = true;
    console.error(`drift: ${file} differs from data/`);
  } else {
    writeFileSync(path, text);
    console.error(`wrote ${file}`);
  }
}
for (const file of stale) {
  if (check) {
    drift = true;
    console.error(`drift: ${file} is not generated from data/`);
  } else {
    rmSync(join(root, file));
    console.error(`removed ${file}`);
  }
}
if (drift) process.exit(1);
