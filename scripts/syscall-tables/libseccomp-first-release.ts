// Recomputes data/libseccomp/first-release.csv from a clone of libseccomp: for every release tag
// from v2.3.0 on, the names each ABI's table gives a number (not a __PNR_ pseudo number), and for
// each (ABI, name) the first release that does. Runtimes resolve profile names with their own
// libseccomp and skip names it does not know, so this is what an older runtime silently drops.
//
// Usage: npx tsx scripts/syscall-tables/libseccomp-first-release.ts LIBSECCOMP_GIT_DIR > data/libseccomp/first-release.csv
//
// Tables before 2.5.0 are C files (src/arch-<abi>-syscalls.c) whose entries read
// `{ "read", 0 }`, `{ "read", (X32_SYSCALL_BIT + 0) }` or `{ "accept", __PNR_accept }`; from 2.5.0
// on they are src/syscalls.csv. parisc64 shared parisc's C table until 2.5.0.
import { execFileSync } from 'node:child_process';
import { parseSyscallCsv, sortVersions } from './data.js';

const FIRST_TAG = '2.3.0';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

function releaseTags(dir: string): string[] {
  const versions = git(dir, 'tag', '--list', 'v*')
    .split('\n')
    .filter((t) => /^v\d+\.\d+\.\d+$/.test(t))
    .map((t) => t.slice(1));
  return sortVersions(versions).filter((v) => sortVersions([v, FIRST_TAG])[0] === FIRST_TAG);
}

/** Names with a real number on each ABI column at `tag`. */
function knownAt(dir: string, tag: string, columns: readonly string[]): Map<string, Set<string>> {
  const files = git(dir, 'ls-tree', '--name-only', `v${tag}:src`).split('\n');
  const out = new Map<string, Set<string>>();
  if (files.includes('syscalls.csv')) {
    const table = parseSyscallCsv(git(dir, 'show', `v${tag}:src/syscalls.csv`), `v${tag}:src/syscalls.csv`);
    table.columns.forEach((col, c) => {
      out.set(col, new Set([...table.rows].filter(([, nrs]) => nrs[c] !== undefined).map(([name]) => name)));
    });
    return out;
  }
  for (const col of columns) {
    let file = `arch-${col}-syscalls.c`;
    if (!files.includes(file) && col === 'parisc64' && files.includes('arch-parisc64.c')) {
      file = 'arch-parisc-syscalls.c';
    }
    if (!files.includes(file)) continue;
    const source = git(dir, 'show', `v${tag}:src/${file}`);
    const names = [...source.matchAll(/\{\s*"(\w+)",\s*([^}]+?)\s*\}/g)]
      .filter((m) => !m[2]!.includes('__PNR_'))
      .map((m) => m[1]!);
    out.set(col, new Set(names));
  }
  return out;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: libseccomp-first-release.ts LIBSECCOMP_GIT_DIR');
    process.exit(2);
  }
  const tags = releaseTags(dir);
  const newest = tags.at(-1)!;
  const columns = parseSyscallCsv(git(dir, 'show', `v${newest}:src/syscalls.csv`)).columns;
  const first = new Map<string, string>();
  for (const tag of tags) {
    for (const [col, names] of knownAt(dir, tag, columns)) {
      for (const name of names) if (!first.has(`${col},${name}`)) first.set(`${col},${name}`, tag);
    }
  }
  const rows = [...first].map(([key, release]) => `${key},${release}`);
  rows.sort((a, b) => {
    const [x, y] = [a.split(','), b.split(',')];
    return x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0;
  });
  process.stdout.write(`abi,syscall,first_libseccomp_release\n${rows.join('\n')}\n`);
  console.error(`${rows.length} rows from ${tags.length} releases (${tags[0]} to ${newest})`);
}

main();
