// `npm run bench:check`: `profile check` against native, side by side, on syscall-heavy workloads
// fully covered by their profile. Bar (issue 4): check ≤ 1.10× native wall time, start-up included.
//
// Workloads (WORKLOAD=getppid|stat|find, default all three), each sized to run ≈ 2 s natively:
//   getppid  python3 calling os.getppid() in a loop: the cheapest syscall there is, so the kernel's
//            fixed per-syscall cost for having any seccomp filter weighs the most. The worst case.
//   stat     python3 calling os.stat() on one file: a syscall that does some work, as the syscalls of
//            real syscall-heavy programs (build tools, test runners, file walkers) do.
//   find     a real program: findutils walking /usr, ≈ 700 000 syscalls/s, 80 % of it system time.
// The profile is generated from a short recording of the same program (same syscalls, fewer
// iterations). To separate what `check` costs from what the kernel charges for any seccomp filter,
// each workload also runs under bwrap without a filter, with a one-instruction allow-all filter, and
// with our compiled filter (no tracer at all): (bwrap + filter) / bwrap is that kernel cost, which no
// seccomp-based tool can avoid.
//
// This VM's run-to-run noise is about ±12 % for the very same command, so rows are interleaved round
// by round and the bar is read on medians over ROUNDS (default 11); per-round ratios and minimums
// are printed too.
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
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const pyLoop = (call: string) => (n: number) => [PYTHON, '-c', `import os\nfor _ in range(${n}): ${call}`];
const WORKLOADS = {
  getppid: { what: 'python3 os.getppid() × N', argv: pyLoop('os.getppid()'), probe: 500_000, record: 1000 },
  stat: {
    what: "python3 os.stat('/etc/hostname') × N",
    argv: pyLoop("os.stat('/etc/hostname')"),
    probe: 200_000,
    record: 1000,
  },
  // A real program: findutils walking /usr (≈ 230 000 syscalls per walk: fcntl, close, newfstatat,
  // getdents64, openat), N walks from one sh loop.
  find: {
    what: "sh: N × find /usr -xdev -printf ''",
    argv: (n: number) => ['sh', '-c', `for i in $(seq ${n}); do find /usr -xdev -printf ''; done`],
    probe: 2,
    record: 1,
  },
} as const;
type Kind = keyof typeof WORKLOADS;
const kinds: Kind[] =
  process.env.WORKLOAD && Object.hasOwn(WORKLOADS, process.env.WORKLOAD)
    ? [process.env.WORKLOAD as Kind]
    : ['getppid', 'stat', 'find'];

// This sandbox sets NODE_EXTRA_CA_CERTS for every process, and Node reads and parses that bundle
// at every start (≈ 60–80 ms here), before running a line of ours; python ignores it. It is not a
// cost of `profile check`, so the measured runs go without it, and the start-up table shows both.
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

async function wall(argv: readonly string[], fd3?: string, withEnv = env): Promise<number> {
  const stdio = fd3 ? (['ignore', 'ignore', 'ignore', openSync(fd3, 'r')] as const) : 'ignore';
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    stdio: stdio as never,
    env: withEnv,
    extendEnv: false,
  });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}`);
  return ms;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
const allowAll = join(dir, 'allow-all.bpf');
writeFileSync(allowAll, Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f])); // ret SECCOMP_RET_ALLOW

console.log(
  `rounds: ${ROUNDS}, interleaved; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs; ` +
    `NODE_EXTRA_CA_CERTS ${extraCerts ? 'set here, removed for the measured runs' : 'not set'}`,
);
const verdicts: string[] = [];
for (const kind of kinds) {
  const { what, argv: loop, probe, record } = WORKLOADS[kind];
  const recording = join(dir, `${kind}.recording.json`);
  const profile = join(dir, `${kind}.seccomp.json`);
  const bpf = join(dir, `${kind}.bpf`);
  const traced = await trace({ argv: loop(record) });
  writeRecording(recording, traced.recording);
  await generate({ inputs: [recording], format: 'docker', output: profile });
  await generate({ inputs: [recording], format: 'bpf', output: bpf });

  // Size the loop to ≈ 2 s natively (median of 3 probes).
  const probeMs = median([await wall(loop(probe)), await wall(loop(probe)), await wall(loop(probe))]);
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
  const rows: Record<string, { argv: string[]; fd3?: string; times: number[] }> = {
    native: { argv: workload, times: [] },
    bwrap: { argv: bwrap(), times: [] },
    'bwrap + allow-all filter': { argv: bwrap(true), fd3: allowAll, times: [] },
    'bwrap + our filter': { argv: bwrap(true), fd3: bpf, times: [] },
    'profile check': { argv: ['node', CLI, 'check', '--profile', profile, '--', ...workload], times: [] },
  };
  await wall(workload); // warm the page cache
  await wall(rows['profile check']!.argv);
  for (let i = 0; i < ROUNDS; i++) {
    for (const row of Object.values(rows)) row.times.push(await wall(row.argv, row.fd3));
  }

  const med = (name: string) => median(rows[name]!.times);
  const native = med('native');
  console.log(`\n${kind}: ${what}, N = ${n.toLocaleString('en')} (profile: ${profile})`);
  console.log(`  ${''.padEnd(26)} median    (min)      × native`);
  for (const [name, row] of Object.entries(rows)) {
    console.log(
      `  ${name.padEnd(26)} ${fmt(median(row.times))}  (${fmt(Math.min(...row.times))})  ${(median(row.times) / native).toFixed(3)}×`,
    );
  }
  const ratio = med('profile check') / native;
  const perRound = rows['profile check']!.times.map((t, i) => t / rows.native!.times[i]!);
  const minRatio = Math.min(...rows['profile check']!.times) / Math.min(...rows.native!.times);
  const kernel = med('bwrap + our filter') / med('bwrap');
  const verdict = ratio <= 1.1 ? 'PASS' : 'FAIL';
  console.log(
    `  profile check / native: ${ratio.toFixed(3)}× on medians (bar ≤ 1.10×: ${verdict}); ` +
      `median of per-round ratios ${median(perRound).toFixed(3)}×; on minimums ${minRatio.toFixed(3)}×`,
  );
  console.log(
    `  kernel cost of a seccomp filter here (bwrap + our filter / bwrap): ${kernel.toFixed(3)}×; ` +
      `allow-all: ${(med('bwrap + allow-all filter') / med('bwrap')).toFixed(3)}×`,
  );
  verdicts.push(`${kind} ${ratio.toFixed(3)}× ${verdict} (kernel filter cost ${kernel.toFixed(3)}×)`);
}

// Fixed start-up: `check` of a command that does nothing, against node doing nothing.
const trueProfile = join(dir, `${kinds[0]}.seccomp.json`);
const startup = {
  'node -e 0': ['node', '-e', '0'],
  'profile check -- /bin/true': ['node', CLI, 'check', '--profile', trueProfile, '--', '/bin/true'],
};
console.log('\nfixed start-up (median of 7)        without NODE_EXTRA_CA_CERTS   with it');
for (const [name, argv] of Object.entries(startup)) {
  const without: number[] = [];
  const withCerts: number[] = [];
  for (let i = 0; i < 7; i++) {
    without.push(await wall(argv));
    if (extraCerts) withCerts.push(await wall(argv, undefined, process.env));
  }
  console.log(
    `  ${name.padEnd(32)} ${fmt(median(without)).padStart(10)}  ${extraCerts ? fmt(median(withCerts)).padStart(24) : ''}`,
  );
}
console.log(`\nsummary: ${verdicts.join('; ')}`);
