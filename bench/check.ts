// `npm run bench:check`: `profile check` against native, side by side, on a syscall-heavy workload
// fully covered by its profile. Bar (issue 4): check ≤ 1.10× native wall time, start-up included.
//
// The workload is python3 calling getppid in a loop, sized to run ≈2 s natively. The profile is
// generated from a short recording of the same program (same syscalls, fewer iterations).
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { generate } from '../src/generator/index.js';
import { writeRecording } from '../src/recording/io.js';
import { trace } from '../src/tracer/index.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const PYTHON = '/usr/bin/python3';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const loop = (n: number) => [PYTHON, '-c', `import os\nfor _ in range(${n}): os.getppid()`];

async function wall(argv: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdio: 'ignore' });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
const recording = join(dir, 'recording.json');
const profile = join(dir, 'seccomp.json');
const traced = await trace({ argv: loop(1000) });
writeRecording(recording, traced.recording);
await generate({ inputs: [recording], format: 'docker', output: profile });

// Size the loop to ≈2 s natively.
const probe = 500_000;
const probeMs = await wall(loop(probe));
const n = Math.max(probe, Math.round((probe * 2000) / probeMs));
const workload = loop(n);
const checked = ['node', CLI, 'check', '--profile', profile, '--', ...workload];

const native: number[] = [];
const check: number[] = [];
await wall(workload); // warm the page cache for both sides
for (let i = 0; i < ROUNDS; i++) {
  native.push(await wall(workload));
  check.push(await wall(checked));
}
const startNode = median(await Promise.all([0, 1, 2].map(() => wall(['node', '-e', '0']))));
const startCheck: number[] = [];
for (let i = 0; i < 3; i++)
  startCheck.push(await wall(['node', CLI, 'check', '--profile', profile, '--', '/bin/true']));
const version: number[] = [];
for (let i = 0; i < 3; i++) version.push(await wall(['node', CLI, '--version']));
const trueNative = median(await Promise.all([0, 1, 2].map(() => wall(['/bin/true']))));

const ratio = median(check) / median(native);
console.log(`workload: python3 getppid × ${n.toLocaleString('en')} (profile: ${profile})`);
console.log(
  `rounds: ${ROUNDS}, alternating; medians (min); load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`,
);
console.log(`  native          ${fmt(median(native))}  (${fmt(Math.min(...native))})`);
console.log(`  profile check   ${fmt(median(check))}  (${fmt(Math.min(...check))})`);
const best = Math.min(...check) / Math.min(...native);
console.log(
  `  ratio           ${ratio.toFixed(3)}× of medians, ${best.toFixed(3)}× of minima  (bar: ≤ 1.10×) ${ratio <= 1.1 ? 'PASS' : 'FAIL'}`,
);
console.log('fixed start-up cost:');
console.log(`  node -e 0                         ${fmt(startNode)}`);
console.log(`  profile --version                 ${fmt(median(version))}  (CLI module loading)`);
console.log(
  `  profile check -- /bin/true        ${fmt(median(startCheck))}  (/bin/true alone ${fmt(trueNative)})`,
);
