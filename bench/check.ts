// `npm run bench:check`: `profile check` against native, side by side, on a syscall-heavy workload
// fully covered by its profile. Bar (issue 4): check ≤ 1.10× native wall time, start-up included.
//
// The workload is python3 calling getppid (or, with WORKLOAD=stat, os.stat) in a loop, sized to
// run ≈2 s natively. The profile is
// generated from a short recording of the same program (same syscalls, fewer iterations).
// To separate what `check` costs from what the kernel charges for any seccomp filter, the same
// workload also runs under bwrap without a filter, with a one-instruction allow-all filter, and
// with our compiled filter (no tracer at all): the difference between the last two and the first
// is the kernel's per-syscall seccomp cost, which no seccomp-based tool can avoid.
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { generate } from '../src/generator/index.js';
import { writeRecording } from '../src/recording/io.js';
import { trace } from '../src/tracer/index.js';

const CLI = fileURLToPath(new URL('../dist/bin/profile.cjs', import.meta.url));
const PYTHON = '/usr/bin/python3';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
// WORKLOAD=getppid (default, the example: the cheapest syscall, so the kernel's fixed
// per-syscall seccomp cost weighs most) or WORKLOAD=stat (os.stat of one file: a syscall that
// does some work, as real syscall-heavy programs make).
const KIND = process.env.WORKLOAD === 'stat' ? 'stat' : 'getppid';
const CALL = KIND === 'stat' ? "os.stat('/etc/hostname')" : 'os.getppid()';
const loop = (n: number) => [PYTHON, '-c', `import os\nfor _ in range(${n}): ${CALL}`];

async function wall(argv: readonly string[], fd3?: string): Promise<number> {
  const stdio = fd3 ? (['ignore', 'ignore', 'ignore', openSync(fd3, 'r')] as const) : 'ignore';
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdio: stdio as never });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
const recording = join(dir, 'recording.json');
const profile = join(dir, 'seccomp.json');
const bpf = join(dir, 'seccomp.bpf');
const allowAll = join(dir, 'allow-all.bpf');
writeFileSync(allowAll, Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f])); // ret SECCOMP_RET_ALLOW
const traced = await trace({ argv: loop(1000) });
writeRecording(recording, traced.recording);
await generate({ inputs: [recording], format: 'docker', output: profile });
await generate({ inputs: [recording], format: 'bpf', output: bpf });

// Size the loop to ≈2 s natively.
const probe = KIND === 'stat' ? 200_000 : 500_000;
const probeMs = Math.min(await wall(loop(probe)), await wall(loop(probe)), await wall(loop(probe)));
const n = Math.max(probe, Math.round((probe * 2000) / probeMs));
const workload = loop(n);
const bwrap = (filter?: boolean) => [
  'bwrap',
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  ...(filter ? ['--seccomp', '3'] : []),
  ...workload,
];

const rows = {
  native: { argv: workload, times: [] as number[] },
  bwrap: { argv: bwrap(), times: [] as number[] },
  'bwrap + allow-all filter': { argv: bwrap(true), fd3: allowAll, times: [] as number[] },
  'bwrap + our filter': { argv: bwrap(true), fd3: bpf, times: [] as number[] },
  'profile check': {
    argv: ['node', CLI, 'check', '--profile', profile, '--', ...workload],
    times: [] as number[],
  },
} as Record<string, { argv: string[]; fd3?: string; times: number[] }>;

await wall(workload); // warm the page cache
for (let i = 0; i < ROUNDS; i++) {
  for (const row of Object.values(rows)) row.times.push(await wall(row.argv, row.fd3));
}
const startCheck: number[] = [];
const startNode: number[] = [];
for (let i = 0; i < 3; i++) {
  startNode.push(await wall(['node', '-e', '0']));
  startCheck.push(await wall(['node', CLI, 'check', '--profile', profile, '--', '/bin/true']));
}

const med = (name: string) => median(rows[name]!.times);
const native = med('native');
console.log(`workload: python3 ${CALL} × ${n.toLocaleString('en')} (profile: ${profile})`);
console.log(
  `rounds: ${ROUNDS}, interleaved; median (min); load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`,
);
for (const [name, row] of Object.entries(rows)) {
  const m = median(row.times);
  console.log(
    `  ${name.padEnd(26)} ${fmt(m)}  (${fmt(Math.min(...row.times))})  ${(m / native).toFixed(3)}× native`,
  );
}
const ratio = med('profile check') / native;
const kernel = med('bwrap + our filter') / med('bwrap');
console.log(`profile check / native: ${ratio.toFixed(3)}×  (bar ≤ 1.10×: ${ratio <= 1.1 ? 'PASS' : 'FAIL'})`);
console.log(
  `kernel cost of any seccomp filter on this workload (bwrap + our filter / bwrap): ${kernel.toFixed(3)}×; allow-all: ${(med('bwrap + allow-all filter') / med('bwrap')).toFixed(3)}×`,
);
console.log(
  `profile check / (native × kernel filter cost): ${(ratio / kernel).toFixed(3)}×  (what check itself adds)`,
);
console.log('fixed start-up cost (median of 3):');
console.log(`  node -e 0                    ${fmt(median(startNode))}`);
console.log(`  profile check -- /bin/true   ${fmt(median(startCheck))}`);
