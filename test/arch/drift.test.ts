// The generated tables are exactly what the vendored data gives, and the src/arch API answers what
// the CSVs say. The CSVs are read here with a few lines of our own, not with the generator's parser.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSyscallData } from '../../scripts/syscall-tables/data.js';
import { renderTables, TABLES_DIR } from '../../scripts/syscall-tables/render.js';
import {
  ABI_INFO,
  ABIS,
  highestSyscallNumber,
  introducedIn,
  libseccompFirstRelease,
  syscallName,
  syscallNames,
  syscallNumber,
} from '../../src/arch/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rows = (file: string) =>
  readFileSync(`${root}data/${file}`, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(','));

const [header = [], ...csv] = readFileSync(`${root}data/libseccomp/syscalls.csv`, 'utf8')
  .trim()
  .split(/\r?\n/)
  .map((l) => l.split(','));
/** Table column → index of its numbers in a row. */
const columns = new Map(
  header.flatMap((cell, i) => (i > 0 && !cell.endsWith('_kver') ? [[cell, i] as const] : [])),
);
const raw = (row: readonly string[], table: string) => {
  const cell = row[columns.get(table)!];
  return cell === undefined || cell === 'PNR' ? undefined : Number(cell);
};

describe('generated tables', () => {
  it('src/arch/tables is exactly what data/ generates, and nothing else', () => {
    const files = renderTables(readSyscallData(`${root}data`));
    for (const [file, text] of files) expect(readFileSync(`${root}${file}`, 'utf8'), file).toBe(text);
    const present = readdirSync(`${root}${TABLES_DIR}`).map((f) => `${TABLES_DIR}/${f}`);
    expect(present.sort()).toEqual([...files.keys()].sort());
  });

  it('every column of syscalls.csv is some ABI’s table, and every ABI’s table is a column', () => {
    expect(new Set(ABIS.map((abi) => ABI_INFO[abi].table))).toEqual(new Set(columns.keys()));
  });

  it.each(ABIS)('%s: every name and number is the CSV’s, with the ABI’s number base', (abi) => {
    const { table, nrBase } = ABI_INFO[abi];
    let count = 0;
    for (const row of csv) {
      const name = row[0]!;
      const n = raw(row, table);
      if (n === undefined) {
        expect(syscallNumber(abi, name), name).toBeUndefined();
        continue;
      }
      count++;
      expect(syscallNumber(abi, name), name).toBe(nrBase + n);
      expect(syscallName(abi, nrBase + n), name).toBe(name);
    }
    expect(syscallNames(abi)).toHaveLength(count);
    expect(count).toBeGreaterThan(300);
  });

  it.each(ABIS)('%s: the highest number is the newest call of the shared numbering', (abi) => {
    const { table, nrBase } = ABI_INFO[abi];
    const own = abi === 'x32' ? 512 : abi === 'arm' ? 0x0f0000 : Number.POSITIVE_INFINITY;
    const shared = csv.map((row) => raw(row, table)).filter((n): n is number => n !== undefined && n < own);
    expect(highestSyscallNumber(abi)).toBe(nrBase + Math.max(...shared));
  });

  it('the kernel-release list covers every name numbered 424 or above (below x32’s own 512…)', () => {
    const unified = csv
      .filter((row) => [...columns.keys()].some((t) => (raw(row, t) ?? 0) >= 424 && (raw(row, t) ?? 0) < 512))
      .map((row) => row[0]!);
    expect(unified.length).toBeGreaterThanOrEqual(48);
    for (const name of unified) expect(introducedIn(name)?.exact, name).toBe(true);
    for (const [name, release] of rows('kernel-releases.csv').slice(1)) {
      expect(introducedIn(name!), name).toEqual({ release: release!.split('.').map(Number), exact: true });
    }
  });

  it('libseccomp first releases are the CSV’s, for every ABI sharing the table', () => {
    const [, ...body] = rows('libseccomp/first-release.csv');
    expect(body.length).toBeGreaterThan(7000);
    for (const [table, name, release] of body) {
      for (const abi of ABIS.filter((a) => ABI_INFO[a].table === table)) {
        expect(libseccompFirstRelease(abi, name!), `${abi}:${name}`).toBe(release);
      }
    }
  });
});
