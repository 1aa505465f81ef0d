// The main-job demo: record → generate (docker + bpf) → enforce on the bundled workload,
// then the same workload doing something new (opening a socket), caught and named.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../errors.js';
import { generate } from '../generator/index.js';
import { writeRecording } from '../recording/io.js';
import { trace } from '../tracer/index.js';
import { enforce } from './enforce.js';
import { lint } from './inspect.js';
import { describeCall } from './report.js';

/** The bundled workload's directory: <package>/demo, from src/enforcer or dist/src/enforcer. */
function demoDir(): string {
  for (const rel of ['../../demo/', '../../../demo/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'wordfreq.py'))) return dir;
  }
  throw new Error('demo/wordfreq.py not found next to the package');
}

function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs the demo, printing short lines through `print`. Returns 0 when every step behaved as expected. */
export async function runDemo(
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const dir = demoDir();
  const work = mkdtempSync(join(tmpdir(), 'profile-demo-'));
  const workload = (out: string, ...extra: string[]) => [
    python(),
    join(dir, 'wordfreq.py'),
    join(dir, 'sample.txt'),
    '--out',
    join(work, out),
    ...extra,
  ];
  const shown = 'python3 demo/wordfreq.py demo/sample.txt';
  const step = (name: string, text: string) => print(`${name.padEnd(9)} ${text}`);
  const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  let ok = true;

  let t0 = performance.now();
  const recorded = await trace({ argv: workload('recorded.txt') });
  const recording = join(work, 'recording.json');
  writeRecording(recording, recorded.recording);
  const distinct = Object.keys(recorded.recording.syscalls.x86_64 ?? {}).length;
  print(`profile demo: ${shown}  (files in ${work})`);
  step('record', `${distinct} distinct syscalls in ${seconds(t0)} → recording.json`);

  const docker = join(work, 'seccomp.json');
  const bpf = join(work, 'seccomp.bpf');
  const gen = await generate({ inputs: [recording], format: 'docker', output: docker });
  const rules = gen.policy.rules.x86_64?.length ?? 0;
  await generate({ inputs: [recording], format: 'bpf', output: bpf });
  const insns = readFileSync(bpf).length / 8;
  step('generate', `seccomp.json (docker, ${rules} rules, default kill-process)`);
  step('', `seccomp.bpf  (raw BPF, ${insns} instructions)`);
  const findings = await lint(docker);
  step(
    'lint',
    findings.length
      ? `${findings.length} finding(s): ${findings.map((f) => f.check).join(', ')}`
      : 'no dangerous allowances',
  );

  const expected = readFileSync(join(work, 'recorded.txt'), 'utf8');
  for (const [label, profile] of [
    ['seccomp.json', docker],
    ['seccomp.bpf ', bpf],
  ] as const) {
    t0 = performance.now();
    const out = `enforced-${label}.txt`;
    const result = await enforce({ profile, command: workload(out) });
    const same = existsSync(join(work, out)) && readFileSync(join(work, out), 'utf8') === expected;
    ok &&= result.exitCode === 0 && same;
    step(
      'enforce',
      `${label}: exit ${result.exitCode}, output ${same ? 'identical to the recorded run' : 'DIFFERENT'} (${seconds(t0)})`,
    );
  }

  print('');
  print('Now the same workload with --phone-home: it opens a socket it never opened while recorded.');
  const bad = await enforce({ profile: bpf, command: workload('bad.txt', '--phone-home') });
  const kill = bad.violations.find((v) => v.kind === 'killed');
  if (kill) {
    const exe = Object.keys(kill.executables).join(', ');
    step(
      'enforce',
      `seccomp.bpf: killed in ${kill.syscall} (${kill.arch} syscall ${kill.nr}), exit ${bad.exitCode}`,
    );
    step('', `pid ${kill.pid} ${exe}: ${describeCall(kill)}`);
  } else {
    step('enforce', `NOT caught: exit ${bad.exitCode}`);
  }
  ok &&= bad.exitCode === EXIT.violation && kill?.syscall === 'socket';
  const all = await enforce({
    profile: bpf,
    command: workload('complain.txt', '--phone-home'),
    complain: true,
  });
  const names = all.violations.map((v) => v.syscall);
  step('complain', `every syscall outside the profile, in one run: ${names.join(', ') || 'none'}`);
  ok &&= names.includes('socket');
  print('');
  print(ok ? 'demo: ok' : 'demo: FAILED (see above)');
  return ok ? 0 : 1;
}
