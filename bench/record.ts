// Wall time of `profile record` against the workload run natively and under `strace -f -o /dev/null`,
// side by side in one run. The bar (issue 2): on the syscall-heavy workload, profile record takes at
// most half of strace's wall time. Run: npm run bench:record   (after npm run build)
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const cli = fileURLToPath(new URL('../dist/bin/profile.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-record-'));
const python = (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();

interface Workload {
  name: string;
  argv: string[];
}
const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
/** Rounds per workload; modes are interleaved within a round and the median is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EXECS = Number(process.env.BENCH_EXECS ?? 300);
const workloads: Workload[] = [
  {
    name: `syscall-heavy: python3, ${CALLS} getppid()`,
    argv: [python, '-c', `import os\nfor _ in range(${CALLS}): os.getppid()`],
  },
  {
    name: `process-heavy: sh, ${EXECS} × /bin/true`,
    argv: ['sh', '-c', `for i in $(seq ${EXECS}); do /bin/true; done`],
  },
  {
    name: 'threads: python3, 4 threads × 20000 getppid()',
    argv: [
      python,
      '-c',
      'import os, threading\ndef w():\n  for _ in range(20000): os.getppid()\nts=[threading.Thread(target=w) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]',
    ],
  },
];

const modes: { name: string; argv: (w: string[]) => string[] }[] = [
  { name: 'native', argv: (w) => w },
  { name: 'strace -f -o /dev/null', argv: (w) => ['strace', '-f', '-o', '/dev/null', ...w] },
  {
    name: 'profile record (pinned)',
    argv: (w) => [process.execPath, cli, 'record', '-q', '-o', join(dir, 'rec.json'), ...w],
  },
  {
    name: 'profile record --no-pin',
    argv: (w) => [process.execPath, cli, 'record', '-q', '--no-pin', '-o', join(dir, 'rec.json'), ...w],
  },
];

async function wall(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', stdout: 'ignore' });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

try {
  const verdicts: string[] = [];
  process.stdout.write(
    `${ROUNDS} round(s) per workload, modes interleaved, median wall time; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} CPUs\n`,
  );
  for (const w of workloads) {
    process.stdout.write(`\n${w.name}\n`);
    const samples = new Map<string, number[]>(modes.map((m) => [m.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const m of modes) samples.get(m.name)!.push(await wall(m.argv(w.argv)));
    }
    const times = new Map([...samples].map(([k, v]) => [k, median(v)]));
    for (const m of modes) {
      const all = samples
        .get(m.name)!
        .map((ms) => (ms / 1000).toFixed(2))
        .join(' ');
      process.stdout.write(
        `  ${m.name.padEnd(26)} ${(times.get(m.name)! / 1000).toFixed(2).padStart(7)} s   (${all})\n`,
      );
    }
    const native = times.get('native')!;
    const strace = times.get('strace -f -o /dev/null')!;
    for (const m of modes.slice(1)) {
      const t = times.get(m.name)!;
      process.stdout.write(
        `  ${m.name.padEnd(26)} ${(t / native).toFixed(1).padStart(6)}× native  ${(t / strace).toFixed(2)}× strace\n`,
      );
    }
    if (w === workloads[0]) {
      const ratio = times.get('profile record (pinned)')! / strace;
      verdicts.push(
        `bar (syscall-heavy, default = pinned): ${ratio.toFixed(2)}× strace ${ratio <= 0.5 ? '≤ 0.5: PASS' : '> 0.5: FAIL'}`,
      );
    }
  }
  process.stdout.write(`\n${verdicts.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
