// The whole loop under real engines (issue 10's bar): record a container through `docker run`,
// generate a docker profile with default options, and run the container under it with docker,
// podman + runc and podman + crun: the output matches an unconfined run. A profile missing one of
// the workload's syscalls is enforced through `docker run` and the report names exactly that
// syscall and the workload; one missing a syscall of runc's NNP-off set names runc's init.
// dockerd is started here (private socket and state, no networking) and stopped by pid.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_SYSCALLS, runtimeSyscalls } from '../../src/generator/policy/runtime.js';
import type { Recording } from '../../src/recording/schema.js';
import { CLI, withoutSyscalls } from '../enforcer/support.js';
import {
  buildImageTar,
  crunScript,
  type Dockerd,
  PODMAN_RUN,
  podmanGlobals,
  startDockerd,
} from '../support/engines.js';
import { needs } from '../support/host.js';

const IMAGE = 'profile-test:1';
/** A real shell and coreutils pipeline from the host, not a program written for the test. */
const WORKLOAD = [
  'sh',
  '-c',
  'ls /bin | sort -r | head -4; uname -s | tr a-z A-Z; cat /proc/self/status | head -1 | wc -c',
];

let dir: string;
let env: NodeJS.ProcessEnv;
let dockerd: Dockerd | undefined;
let podman: string[];
let crun: string;

const run = (argv: readonly string[]) =>
  execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', env, timeout: 120_000 });
const profile = (args: readonly string[]) => run(['node', CLI, ...args]);
const dockerRun = (...opts: string[]) => [
  ...dockerd!.docker,
  'run',
  '--rm',
  '--network',
  'none',
  ...opts,
  IMAGE,
  ...WORKLOAD,
];
const podmanRun = (runtime: string, ...opts: string[]) => [
  'podman',
  ...podman,
  '--runtime',
  runtime,
  'run',
  '--rm',
  ...PODMAN_RUN,
  ...opts,
  IMAGE,
  ...WORKLOAD,
];

describe(
  'containers under docker, podman + runc, podman + crun',
  needs('root', 'runc', 'crun', 'docker', 'podman'),
  () => {
    let expected: string;
    let rec: Recording;
    let profileFile: string;

    beforeAll(async () => {
      dir = mkdtempSync('/var/tmp/profile-engines-');
      // Sessions live under the test's own directory; dockerd (and so the wrapper) gets it too.
      env = { ...process.env, SECCOMP_PROFILER_RUNDIR: join(dir, 'run') };
      const tar = await buildImageTar(dir);
      const saved = process.env.SECCOMP_PROFILER_RUNDIR;
      process.env.SECCOMP_PROFILER_RUNDIR = env.SECCOMP_PROFILER_RUNDIR;
      try {
        dockerd = await startDockerd(join(dir, 'docker'));
      } finally {
        if (saved === undefined) delete process.env.SECCOMP_PROFILER_RUNDIR;
        else process.env.SECCOMP_PROFILER_RUNDIR = saved;
      }
      podman = podmanGlobals(join(dir, 'podman'));
      crun = crunScript(dir);
      expect((await run([...dockerd.docker, 'import', tar, IMAGE])).exitCode).toBe(0);
      expect((await run(['podman', ...podman, 'import', tar, IMAGE])).exitCode).toBe(0);
      const plain = await run(dockerRun());
      expect(plain.exitCode).toBe(0);
      expected = plain.stdout;
      expect(expected).toMatch(/^LINUX$/m);
    });

    afterAll(async () => {
      await dockerd?.stop();
      if (dir) {
        await run(['podman', ...podman, 'system', 'reset', '--force']);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('profile setup docker registers the wrapper, reloads dockerd, and changes nothing the second time', async () => {
      const args = ['setup', 'docker', '--config-file', dockerd!.configFile, '--pid-file', dockerd!.pidFile];
      const first = await profile(args);
      expect(first.exitCode).toBe(0);
      expect(first.stderr).toMatch(
        /registered runtime `seccomp-profiler` → .*profile-runtime .*reloaded dockerd/,
      );
      const second = await profile(args);
      expect(second.stderr).toMatch(/nothing to change/);
      let runtimes = '';
      for (let i = 0; i < 50 && !runtimes.includes('seccomp-profiler'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        runtimes = (await run([...dockerd!.docker, 'info', '--format', '{{json .Runtimes}}'])).stdout;
      }
      expect(runtimes).toContain('seccomp-profiler');
    });

    it('records through `docker run`: the workload, runc after its filter, and the engine apart', async () => {
      const out = join(dir, 'docker.rec.json');
      const r = await profile(['record', '-q', '-o', out, '--', ...dockerRun()]);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(expected);
      rec = JSON.parse(readFileSync(out, 'utf8')) as Recording;
      const run0 = rec.runs[0]!;
      expect(run0.command[0]).toBe('/usr/bin/docker');
      expect(run0.container).toMatchObject({
        engine: 'docker',
        image: IMAGE,
        runtime: { name: 'runc', noNewPrivileges: false },
      });
      expect(run0.container?.marker).toBeGreaterThan(0);
      const workload = Object.keys(rec.container!.workload);
      expect(workload).toEqual(
        expect.arrayContaining(['/bin/sh', '/bin/ls', '/bin/sort', '/bin/head', '/bin/uname']),
      );
      expect(workload.some((e) => /runc|dockerd/.test(e))).toBe(false);
      // After loading the filter (NNP off) runc's init reads the exec fifo with epoll and execs.
      const post = rec.container!.postFilter['/usr/sbin/runc']?.x86_64 ?? {};
      expect(Object.keys(post)).toEqual(expect.arrayContaining(['execve', 'epoll_ctl', 'capset']));
      // Everything runc did under the filter is in the measured NNP-off set.
      for (const name of Object.keys(post)) expect(runtimeSyscalls('runc', false)).toContain(name);
      // The engine's and runtime's own calls before the filter are recorded, but are not the workload's.
      expect(rec.syscalls.x86_64?.pivot_root).toBeDefined();
      expect(rec.container!.workload['/bin/sh']?.x86_64?.pivot_root).toBeUndefined();
    });

    it(
      'records through `docker run` with --backend ebpf as with ptrace: the same workload, the same runc post-filter calls',
      needs('ebpf'),
      async () => {
        const out = join(dir, 'docker.ebpf.json');
        const r = await profile(['record', '-q', '--backend', 'ebpf', '-o', out, '--', ...dockerRun()]);
        expect(r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(expected);
        const ebpf = JSON.parse(readFileSync(out, 'utf8')) as Recording;
        expect(ebpf.runs[0]!.backend).toBe('ebpf');
        // No RET_TRACE marker filter: the container ran under an allow-everything filter instead.
        expect(ebpf.runs[0]!.container?.marker).toBeUndefined();
        type Counts = NonNullable<Recording['container']>['workload'];
        const names = (counts: Counts, exe: string) => Object.keys(counts[exe]?.x86_64 ?? {}).sort();
        const workload = ebpf.container!.workload;
        for (const exe of [
          '/bin/sh',
          '/bin/ls',
          '/bin/sort',
          '/bin/head',
          '/bin/uname',
          '/bin/tr',
          '/bin/cat',
          '/bin/wc',
        ]) {
          expect({ exe, names: names(workload, exe) }).toEqual({
            exe,
            names: names(rec.container!.workload, exe),
          });
        }
        expect(Object.keys(workload).some((e) => /runc|dockerd/.test(e))).toBe(false);
        // runc's init after its filter: the same calls as the marker filter showed under ptrace, but
        // for those that depend on the Go runtime's timing (a preemption signal, a futex wake-up).
        const racy = ['rt_sigreturn', 'futex', 'sched_yield', 'nanosleep'];
        const steady = (counts: Counts) => names(counts, '/usr/sbin/runc').filter((n) => !racy.includes(n));
        expect(steady(ebpf.container!.postFilter)).toEqual(steady(rec.container!.postFilter));
        expect(steady(ebpf.container!.postFilter)).toEqual(expect.arrayContaining(['execve', 'capset']));
        for (const name of names(ebpf.container!.postFilter, '/usr/sbin/runc'))
          expect(runtimeSyscalls('runc', false)).toContain(name);
        expect(ebpf.syscalls.x86_64?.pivot_root).toBeDefined();
        // What users get from it: the same docker profile as from the ptrace recording.
        const generated = async (recording: string) => {
          const file = `${recording}.profile.json`;
          expect((await profile(['generate', recording, '--format', 'docker', '-o', file])).exitCode).toBe(0);
          const names = (
            JSON.parse(readFileSync(file, 'utf8')) as { syscalls: { names: string[] }[] }
          ).syscalls.flatMap((s) => s.names);
          return names.sort();
        };
        expect(await generated(out)).toEqual(await generated(join(dir, 'docker.rec.json')));
      },
    );

    it('generate --format docker with default options runs under docker, podman + runc and podman + crun', async () => {
      profileFile = join(dir, 'p.json');
      const gen = await profile([
        'generate',
        join(dir, 'docker.rec.json'),
        '--format',
        'docker',
        '-o',
        profileFile,
      ]);
      expect(gen.exitCode).toBe(0);
      const names = (
        JSON.parse(readFileSync(profileFile, 'utf8')) as { syscalls: { names: string[] }[] }
      ).syscalls.flatMap((s) => s.names);
      // The runtime's mount work before the filter stays out; what runc and crun do after it is in.
      expect(names).not.toContain('pivot_root');
      expect(names).toEqual(expect.arrayContaining(['epoll_ctl', 'pselect6', 'capset', 'execve']));
      for (const argv of [
        dockerRun('--security-opt', `seccomp=${profileFile}`),
        podmanRun('runc', '--security-opt', `seccomp=${profileFile}`),
        podmanRun(crun, '--security-opt', `seccomp=${profileFile}`),
      ]) {
        const r = await run(argv);
        expect({ argv: argv.join(' '), stderr: r.stderr, exitCode: r.exitCode }).toMatchObject({
          stderr: '',
          exitCode: 0,
        });
        expect(r.stdout).toBe(expected);
      }
    });

    it("inspect reads back what docker installed: identical to the profile it was given, not to Docker's default", async () => {
      // `cat` with an open stdin waits in read(2): a container that stays up while it is inspected.
      const start = async (...opts: string[]) => {
        const r = await run([
          ...dockerd!.docker,
          'run',
          '-d',
          '-i',
          '--network',
          'none',
          ...opts,
          IMAGE,
          'cat',
        ]);
        expect(r.exitCode, r.stderr).toBe(0);
        return r.stdout.trim();
      };
      const engine = dockerd!.docker.join(' ');
      const mine = await start('--security-opt', `seccomp=${profileFile}`);
      const theirs = await start();
      try {
        const same = await profile(['inspect', '--engine', engine, '--against', profileFile, mine]);
        expect(same.stderr).toBe('');
        expect(same.stdout).toMatch(/seccomp filter, 1 filter/);
        expect(same.stdout).toContain('identical: the installed filters decide every syscall as it does');
        expect(same.exitCode).toBe(0);
        const json = JSON.parse((await profile(['inspect', '--json', '--engine', engine, mine])).stdout) as {
          pid: number;
          filters: { allowed: Record<string, string[]> }[];
        };
        expect(json.pid).toBeGreaterThan(1);
        expect(json.filters[0]?.allowed.x86_64).toEqual(expect.arrayContaining(['read', 'epoll_ctl']));
        const other = await profile(['inspect', '--engine', engine, '--against', profileFile, theirs]);
        expect(other.exitCode).toBe(1);
        // Docker's default allows much the workload never made (socket, for one) and refuses with EPERM.
        expect(other.stdout).toMatch(/syscalls? decided differently/);
        expect(other.stdout).toMatch(/~ x86_64 socket.*ALLOW → KILL_PROCESS/);
      } finally {
        await run([...dockerd!.docker, 'rm', '-f', mine, theirs]);
      }
    });

    it('enforce names the workload syscall the profile lacks, and says the workload was killed', async () => {
      const workloadOnly = Object.keys(rec.container!.workload['/bin/sh']?.x86_64 ?? {}).filter(
        (n) => !runtimeSyscalls('any').includes(n) && !BASELINE_SYSCALLS.includes(n),
      );
      expect(workloadOnly).toContain('pipe2');
      const lacking = withoutSyscalls(profileFile, ['pipe2'], join(dir, 'no-pipe2.json'));
      const r = await profile(['enforce', '--profile', lacking, '--', ...dockerRun()]);
      expect(r.exitCode).toBe(159);
      const named = r.stderr.split('\n').filter((l) => / was killed on /.test(l));
      expect(named).toHaveLength(1);
      expect(named[0]).toMatch(
        /^profile: the workload: sh \(pid \d+, \/bin\/sh\) was killed on pipe2 \(x86_64 syscall 293\)/,
      );
      expect(r.stderr).toMatch(/pipe2\(0x[0-9a-f]+/);
    });

    it("enforce says when runc's init is the one killed, and which set the profile lacks", async () => {
      const lacking = withoutSyscalls(profileFile, ['getcwd'], join(dir, 'no-getcwd.json'));
      const r = await profile(['enforce', '--profile', lacking, '--', ...dockerRun()]);
      expect(r.exitCode).toBe(159);
      expect(r.stderr).toMatch(
        /the runtime: runc:\[2:INIT\] \(pid \d+, \/usr\/sbin\/runc\) was killed on getcwd .* after loading the filter: the profile lacks runc's NNP-off set; regenerate with/,
      );
    });

    it('check on a podman container: clean under its profile, drift named without it (exit 1)', async () => {
      const clean = await profile(['check', '--profile', profileFile, '--', ...podmanRun('runc')]);
      expect(clean.stderr).toMatch(/^profile check: clean/m);
      expect(clean.exitCode).toBe(0);
      expect(clean.stdout).toBe(expected);
      const lacking = join(dir, 'no-pipe2.json');
      const drift = await profile(['check', '--profile', lacking, '--', ...podmanRun('runc')]);
      expect({ exitCode: drift.exitCode, stderr: drift.stderr }).toMatchObject({ exitCode: 1 });
      expect(drift.stdout).toBe(expected);
      expect(drift.stderr).toMatch(/the workload: \/bin\/sh would be blocked on pipe2/);
    });

    it('check --update on a docker container widens the profile with the drift; the next check is clean', async () => {
      const lacking = join(dir, 'no-pipe2.json');
      const file = join(dir, 'updated.json');
      writeFileSync(file, readFileSync(lacking));
      const args = ['check', '--update', '--profile', file, '--', ...dockerRun()];
      const first = await profile(args);
      expect({ exitCode: first.exitCode, stderr: first.stderr }).toMatchObject({ exitCode: 1 });
      expect(first.stdout).toBe(expected);
      expect(first.stderr).toMatch(/would be blocked on pipe2/);
      expect(first.stderr).toMatch(/^profile check: updated .*updated\.json to allow them$/m);
      const names = (
        JSON.parse(readFileSync(file, 'utf8')) as { syscalls: { names: string[] }[] }
      ).syscalls.flatMap((s) => s.names);
      expect(names).toContain('pipe2');
      const again = await profile(args);
      expect({ exitCode: again.exitCode, stderr: again.stderr }).toMatchObject({ exitCode: 0 });
      expect(again.stderr).toMatch(/^profile check: clean/m);
      // And the widened profile runs the container under docker itself.
      const r = await run(dockerRun('--security-opt', `seccomp=${file}`));
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(r.stdout).toBe(expected);
    });

    it("records through podman + crun: crun's create/start path waits with pselect6 after the filter", async () => {
      const out = join(dir, 'crun.rec.json');
      const r = await profile(['record', '-q', '-o', out, '--', ...podmanRun(crun)]);
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toMatchObject({ exitCode: 0 });
      expect(r.stdout).toBe(expected);
      const crunRec = JSON.parse(readFileSync(out, 'utf8')) as Recording;
      expect(crunRec.runs[0]!.container?.runtime).toMatchObject({ name: 'crun', noNewPrivileges: false });
      const post = Object.values(crunRec.container!.postFilter).flatMap((a) => Object.keys(a.x86_64 ?? {}));
      expect(post).toEqual(expect.arrayContaining(['pselect6', 'execve']));
      for (const name of post) expect(runtimeSyscalls('crun', false)).toContain(name);
    });

    it(
      'records through podman + crun with --backend ebpf: the same workload and crun post-filter calls as ptrace',
      needs('ebpf'),
      async () => {
        const out = join(dir, 'crun.ebpf.json');
        const r = await profile(['record', '-q', '--backend', 'ebpf', '-o', out, '--', ...podmanRun(crun)]);
        expect({ exitCode: r.exitCode, stderr: r.stderr }).toMatchObject({ exitCode: 0 });
        expect(r.stdout).toBe(expected);
        const mine = JSON.parse(readFileSync(out, 'utf8')) as Recording;
        const theirs = JSON.parse(readFileSync(join(dir, 'crun.rec.json'), 'utf8')) as Recording;
        expect(mine.runs[0]!.backend).toBe('ebpf');
        const sets = (rec: Recording, part: 'workload' | 'postFilter') =>
          Object.fromEntries(
            Object.entries(rec.container![part]).map(([exe, a]) => [exe, Object.keys(a.x86_64 ?? {}).sort()]),
          );
        expect(sets(mine, 'workload')).toEqual(sets(theirs, 'workload'));
        expect(sets(mine, 'postFilter')).toEqual(sets(theirs, 'postFilter'));
      },
    );
  },
);
