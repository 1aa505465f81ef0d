// Reads the vendored syscall data in data/ (see data/README.md) into plain structures, refusing
// anything malformed: a bad edit of a CSV must fail the generator, not produce a quiet table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** libseccomp's syscalls.csv: per name, the raw number on each table column (undefined = PNR). */
export interface SyscallCsv {
  /** The kernel the table was taken from, as its header says: "v7.1.0-rc4 2026-05-19". */
  readonly kernel: string;
  /** Table columns in file order: x86, x86_64, x32, arm, aarch64, … */
  readonly columns: readonly string[];
  /** Rows in file order. */
  readonly rows: ReadonlyMap<string, readonly (number | undefined)[]>;
}

/** One row of first-release.csv: the first libseccomp release whose `abi` table numbers `name`. */
export interface FirstRelease {
  readonly abi: string;
  readonly name: string;
  readonly release: string;
}

/** The kernel-release list: its floor, and name → release for every name introduced after it. */
export interface KernelReleases {
  readonly floor: string;
  readonly introduced: ReadonlyMap<string, string>;
}

export interface SyscallData {
  readonly syscalls: SyscallCsv;
  readonly firstReleases: readonly FirstRelease[];
  readonly kernelReleases: KernelReleases;
}

/** Names numbered at or above this on some ABI belong to the unified numbering all ABIs share. */
export const UNIFIED_FROM = 424;
/** x32's own block (512–547) starts here; nothing of the unified numbering reaches it yet. */
const UNIFIED_BELOW = 512;
/** Every name in syscalls.csv without a row in kernel-releases.csv was in mainline by this release. */
export const KERNEL_FLOOR = '5.0';

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

function fail(file: string, line: number, message: string): never {
  throw new Error(`${file}:${line}: ${message}`);
}

/** Parses libseccomp's syscalls.csv: `#syscall (KERNEL),col[,col_kver],…` then `name,nr|PNR[,kver],…`. */
export function parseSyscallCsv(text: string, file = 'syscalls.csv'): SyscallCsv {
  const [header, ...body] = lines(text);
  const head = (header ?? '').split(',');
  const kernel = /^#syscall \((.+)\)$/.exec(head[0] ?? '')?.[1];
  if (!kernel) fail(file, 1, 'expected a header `#syscall (<kernel>),<abi>,<abi>_kver,…`');
  // Since libseccomp 2.6 every ABI column is followed by a `<abi>_kver` column; 2.5 had none.
  const step = head[2] === `${head[1]}_kver` ? 2 : 1;
  const columns: string[] = [];
  for (let i = 1; i < head.length; i += step) {
    const col = head[i] ?? '';
    if (!/^[a-z0-9_]+$/.test(col) || (step === 2 && head[i + 1] !== `${col}_kver`)) {
      fail(file, 1, `bad column \`${col}\` at ${i}`);
    }
    columns.push(col);
  }
  const rows = new Map<string, (number | undefined)[]>();
  const seen = columns.map(() => new Map<number, string>());
  body.forEach((line, index) => {
    const at = index + 2;
    const cells = line.split(',');
    const name = cells[0] ?? '';
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) fail(file, at, `bad syscall name \`${name}\``);
    if (cells.length !== 1 + step * columns.length)
      fail(file, at, `expected ${1 + step * columns.length} cells`);
    if (rows.has(name)) fail(file, at, `\`${name}\` appears twice`);
    const numbers = columns.map((col, c) => {
      const cell = cells[1 + step * c] ?? '';
      if (cell === 'PNR') return undefined;
      if (!/^\d+$/.test(cell))
        fail(file, at, `\`${name}\` on ${col}: expected a number or PNR, got \`${cell}\``);
      const nr = Number(cell);
      const other = seen[c]!.get(nr);
      if (other) fail(file, at, `\`${name}\` and \`${other}\` share number ${nr} on ${col}`);
      seen[c]!.set(nr, name);
      return nr;
    });
    rows.set(name, numbers);
  });
  return { kernel, columns, rows };
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Sorts dotted versions numerically ("5.9" before "5.10"). */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort(compareVersions);
}

/** Parses first-release.csv: `abi,syscall,first_libseccomp_release`. */
export function parseFirstReleases(text: string, columns: readonly string[], file = 'first-release.csv') {
  const [header, ...body] = lines(text);
  if (header !== 'abi,syscall,first_libseccomp_release') fail(file, 1, 'unexpected header');
  const seen = new Set<string>();
  return body.map((line, index): FirstRelease => {
    const [abi = '', name = '', release = '', ...rest] = line.split(',');
    const at = index + 2;
    if (rest.length) fail(file, at, 'expected 3 cells');
    if (!columns.includes(abi)) fail(file, at, `\`${abi}\` is not a column of syscalls.csv`);
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) fail(file, at, `bad syscall name \`${name}\``);
    if (!/^\d+\.\d+\.\d+$/.test(release)) fail(file, at, `bad release \`${release}\``);
    if (seen.has(`${abi},${name}`)) fail(file, at, `${abi},${name} appears twice`);
    seen.add(`${abi},${name}`);
    return { abi, name, release };
  });
}

/** Parses kernel-releases.csv: `#` comments, a `syscall,release` header, then `name,major.minor`. */
export function parseKernelReleases(text: string, syscalls: SyscallCsv, file = 'kernel-releases.csv') {
  const introduced = new Map<string, string>();
  let header = false;
  text.split(/\r?\n/).forEach((line, index) => {
    const at = index + 1;
    if (line.trim() === '' || line.startsWith('#')) return;
    if (!header) {
      if (line !== 'syscall,release') fail(file, at, 'expected the header `syscall,release`');
      header = true;
      return;
    }
    const [name = '', release = '', ...rest] = line.split(',');
    if (rest.length) fail(file, at, 'expected 2 cells');
    if (!syscalls.rows.has(name)) fail(file, at, `\`${name}\` is not a syscall in syscalls.csv`);
    if (!/^\d+\.\d+$/.test(release)) fail(file, at, `bad release \`${release}\` (expected major.minor)`);
    if (compareVersions(release, KERNEL_FLOOR) <= 0) fail(file, at, `${release} is not after the floor`);
    if (introduced.has(name)) fail(file, at, `\`${name}\` appears twice`);
    introduced.set(name, release);
  });
  const missing = unifiedNames(syscalls).filter((name) => !introduced.has(name));
  if (missing.length) {
    throw new Error(`${file}: no release for ${missing.join(', ')} (numbered ${UNIFIED_FROM} or above)`);
  }
  return { floor: KERNEL_FLOOR, introduced };
}

/** Names numbered in the unified range (424 and above, below x32's own block) on some ABI. */
export function unifiedNames(syscalls: SyscallCsv): string[] {
  return [...syscalls.rows]
    .filter(([, nrs]) => nrs.some((nr) => nr !== undefined && nr >= UNIFIED_FROM && nr < UNIFIED_BELOW))
    .map(([name]) => name);
}

/** Reads and checks every data file under `root` (the repository's data/ directory). */
export function readSyscallData(root: string): SyscallData {
  const syscallsFile = join(root, 'libseccomp/syscalls.csv');
  const syscalls = parseSyscallCsv(readFileSync(syscallsFile, 'utf8'), syscallsFile);
  const releasesFile = join(root, 'libseccomp/first-release.csv');
  const firstReleases = parseFirstReleases(
    readFileSync(releasesFile, 'utf8'),
    syscalls.columns,
    releasesFile,
  );
  const kernelFile = join(root, 'kernel-releases.csv');
  const kernelReleases = parseKernelReleases(readFileSync(kernelFile, 'utf8'), syscalls, kernelFile);
  return { syscalls, firstReleases, kernelReleases };
}
