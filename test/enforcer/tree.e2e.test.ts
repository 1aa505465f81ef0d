// The whole process tree counts: a kill of any process is a violation (enforce exits 159 and names
// it, check is not clean), and the main process ends the run (what it leaves behind gets --grace
// seconds, then is killed and reported; nothing waits forever).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FilterEvent } from '../../src/tracer/index.js';
import { needs } from '../support/host.js';
import { backendCaps, RECORD_BACKENDS } from '../tracer/support.js';
import { jsonReport, PYTHON, profile, recordAndGenerate, scratch, withoutSyscalls } from './support.js';

interface TreeReport {
  outcome: { status: string; code?: number };
  killed: FilterEvent[];
  ended: { pid: number; executable: string }[];
  exitCode: number;
}

const spawnChild = (child: string) =>
  `import subprocess, sys\nr = subprocess.run([sys.executable, '-c', ${JSON.stringify(child)}])\nprint('child', r.returncode)`;

describe('a kill anywhere in the tree is a violation', needs('python3', 'ptrace', 'seccomp'), () => {
  let dir: string;
  let pythonProfile: string;
  let shProfile: string;
  beforeAll(async () => {
    dir = scratch('tree');
    // Recorded with harmless children: the parents' syscalls, not the socket their children make later.
    pythonProfile = (await recordAndGenerate(dir, [PYTHON, '-c', spawnChild('pass')])).outputs.docker!;
    const shDir = scratch('tree-sh');
    shProfile = (
      await recordAndGenerate(shDir, ['sh', '-c', `${PYTHON} -c 'import socket'; echo parent done`])
    ).outputs.docker!;
  });

  it.each([
    ['a python parent', () => pythonProfile, [PYTHON, '-c', spawnChild('import socket; socket.socket()')]],
    [
      'an sh parent',
      () => shProfile,
      ['sh', '-c', `${PYTHON} -c 'import socket; socket.socket()'; echo parent done`],
    ],
  ] as const)('%s that exits 0 after its child was killed: enforce exits 159 and names the child', async (_n, prof, argv) => {
    const r = await profile(['enforce', '--json', '--profile', prof(), '--', ...argv]);
    const report = jsonReport<TreeReport>(r.stdout);
    expect(report.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.exitCode, r.stderr).toBe(159);
    expect(report.killed).toHaveLength(1);
    const [kill] = report.killed;
    expect(kill).toMatchObject({
      kind: 'killed',
      name: 'socket',
      arch: 'x86_64',
      executable: expect.stringMatching(/python3/),
    });
    expect(kill!.args[0]).toBe('0x2'); // AF_INET
    expect(r.stderr).toContain(`killed by ${prof()}: socket (x86_64 syscall 41) in pid ${kill!.pid} `);
    expect(r.stderr).toMatch(
      /exit 159: the filter killed 1 process\(es\) of the workload \(its main process exited 0\)/,
    );
  });

  it('check does not call such a run clean: the child’s syscall is drift (exit 1)', async () => {
    const argv = [PYTHON, '-c', spawnChild('import socket; socket.socket()')];
    const r = await profile(['check', '--json', '--profile', pythonProfile, '--', ...argv]);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = jsonReport<{
      clean: boolean;
      drift: { syscall: string; executables: Record<string, number> }[];
    }>(r.stdout);
    expect(report.clean).toBe(false);
    expect(report.drift.map((v) => v.syscall)).toContain('socket');
  });

  it('a multiprocessing pool whose workers the filter kills (they are respawned) while the parent exits 0', async () => {
    // nginx's shape: the master outlives its killed workers. The parent gives up waiting and exits 0.
    const pool = join(dir, 'pool.py');
    writeFileSync(
      pool,
      [
        'import multiprocessing as mp, socket, sys, time',
        'def work(x):',
        '    socket.socket().close()',
        '    time.sleep(60)',
        "if __name__ == '__main__':",
        "    mp.set_start_method('fork')",
        '    with mp.Pool(2) as pool:',
        '        r = pool.map_async(work, range(2))',
        '        try:',
        '            r.get(timeout=2)',
        '        except mp.TimeoutError:',
        "            print('timed out', flush=True)",
        '    sys.exit(0)',
      ].join('\n'),
    );
    // Recorded as it is (socket included), then enforced with socket taken out of the profile.
    const poolDir = scratch('tree-pool');
    const { outputs } = await recordAndGenerate(poolDir, [PYTHON, pool]);
    const noSocket = withoutSyscalls(outputs.docker!, ['socket'], join(poolDir, 'no-socket.json'));
    const r = await profile(['enforce', '--json', '--profile', noSocket, '--', PYTHON, pool]);
    const report = jsonReport<TreeReport>(r.stdout);
    expect(report.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.exitCode, r.stderr).toBe(159);
    expect(report.killed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(report.killed.map((k) => k.pid)).size).toBe(report.killed.length);
    expect(report.killed.every((k) => k.name === 'socket')).toBe(true);
  });
});

describe('the main process ends the run', needs('python3', 'ptrace', 'seccomp'), () => {
  let allowAll: string;
  beforeAll(() => {
    allowAll = join(scratch('grace'), 'allow-all.json');
    writeFileSync(allowAll, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }));
  });

  it('a child left sleeping gets --grace seconds, then is ended and reported', async () => {
    const started = performance.now();
    const r = await profile([
      'enforce',
      '--grace',
      '0.5',
      '--json',
      '--profile',
      allowAll,
      '--',
      'sh',
      '-c',
      'sleep 100 & echo started',
    ]);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = jsonReport<TreeReport>(r.stdout);
    expect(report.ended.map((p) => p.executable)).toEqual(['/usr/bin/sleep']);
    expect(r.stderr).toMatch(
      /^profile: ended 1 process\(es\) still running after the main process: \d+ \/usr\/bin\/sleep$/m,
    );
  });

  it('python Pool(fork) whose parent is killed: the run ends every time (no hang), workers reported', async () => {
    const script = [
      'import multiprocessing as mp, os, signal, time',
      'def work(x):',
      '    time.sleep(60)',
      "if __name__ == '__main__':",
      "    mp.set_start_method('fork')",
      '    p = mp.Pool(3)',
      '    p.map_async(work, range(3))',
      '    time.sleep(0.5)',
      '    os.kill(os.getpid(), signal.SIGKILL)',
    ].join('\n');
    for (let round = 0; round < 4; round++) {
      const started = performance.now();
      const r = await profile(['enforce', '--json', '--profile', allowAll, '--', PYTHON, '-c', script]);
      expect(performance.now() - started).toBeLessThan(30_000);
      expect(r.exitCode, r.stderr).toBe(137);
      const report = jsonReport<TreeReport>(r.stdout);
      expect(report.outcome).toMatchObject({ status: 'signaled', signal: 'SIGKILL' });
      // The pool's three workers (the handler threads live in the parent, which is gone).
      expect(report.ended.length).toBe(3);
    }
  });
});

for (const backend of RECORD_BACKENDS) {
  describe(
    `record --backend ${backend}: the main process ends the run`,
    needs(...backendCaps(backend, ['ptrace', 'seccomp'])),
    () => {
      it('the child is recorded until the grace period ends, and the run is marked partial', async () => {
        const output = join(scratch(`grace-record-${backend}`), 'rec.json');
        const r = await profile([
          'record',
          '--backend',
          backend,
          '-o',
          output,
          '--',
          'sh',
          '-c',
          'sleep 100 & echo started',
        ]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stderr).toContain('partial recording (processes were still running)');
        const rec = JSON.parse(readFileSync(output, 'utf8'));
        expect(rec.partial).toBe(true);
        expect(rec.runs[0].ended).toEqual([{ pid: expect.any(Number), executable: '/usr/bin/sleep' }]);
        // sleep's own syscalls (after its exec) were recorded.
        expect(rec.executables['/usr/bin/sleep'].x86_64.clock_nanosleep).toBeGreaterThan(0);
      });
    },
  );
}
