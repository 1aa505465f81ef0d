// Command lines of engines and runtimes, the wrapper's argument parsing, selecting executables,
// audit records and the advice for a killed runtime: pure functions, no engine needed.
import { describe, expect, it } from 'vitest';
import { parseAuditLine } from '../../src/container/audit.js';
import { injectSession, parseEngineCommand } from '../../src/container/engine.js';
import { runtimeAdvice } from '../../src/container/explain.js';
import { markerProfile } from '../../src/container/profiles.js';
import { subcommandOf } from '../../src/container/wrapper.js';
import { executableMatcher, selectExecutables } from '../../src/generator/policy/select.js';
import { buildRecording } from '../../src/recording/builder.js';

describe('engine command lines', () => {
  it('finds run, the image and what the user chose, past global options', () => {
    const run = parseEngineCommand([
      'docker',
      '-H',
      'unix:///x.sock',
      'run',
      '--rm',
      '-e',
      'A=1',
      '--security-opt=seccomp=p.json',
      'img:1',
      'sh',
      '-c',
      'ls',
    ]);
    expect(run).toMatchObject({
      engine: 'docker',
      runIndex: 3,
      image: 'img:1',
      seccomp: 'p.json',
      detach: false,
    });
    expect(
      parseEngineCommand(['podman', '--runtime', 'crun', 'container', 'run', '-d', 'img']),
    ).toMatchObject({ engine: 'podman', runtime: 'crun', detach: true });
    expect(parseEngineCommand(['/usr/sbin/runc', 'run', 'id'])).toMatchObject({ engine: 'runc' });
    expect(parseEngineCommand(['docker', 'ps'])).toBeUndefined();
    expect(parseEngineCommand(['ls'])).toBeUndefined();
  });

  it('injects the wrapper before the image, replacing a --runtime of the user, never touching the command', () => {
    const docker = parseEngineCommand(['docker', 'run', '--runtime', 'runc', 'img', 'sh', '--runtime', 'x']);
    if (!docker || !('runIndex' in docker)) throw new Error('not parsed');
    expect(
      injectSession(docker, { runtime: 'seccomp-profiler', cidfile: '/s/cid', seccomp: '/s/p.json' }),
    ).toEqual([
      'docker',
      'run',
      '--runtime',
      'seccomp-profiler',
      '--cidfile',
      '/s/cid',
      '--security-opt',
      'seccomp=/s/p.json',
      'img',
      'sh',
      '--runtime',
      'x',
    ]);
    const podman = parseEngineCommand([
      'podman',
      '--root',
      '/r',
      '--runtime',
      'crun',
      'run',
      '--cidfile',
      'mine',
      'img',
    ]);
    if (!podman || !('runIndex' in podman)) throw new Error('not parsed');
    // The user's own cid file is the session's; podman's --runtime is global and replaced.
    expect(injectSession(podman, { runtime: '/w', cidfile: '/s/cid' })).toEqual([
      'podman',
      '--runtime',
      '/w',
      '--root',
      '/r',
      'run',
      '--cidfile',
      'mine',
      'img',
    ]);
  });

  it('refuses a detached run, which would end before the container', () => {
    const run = parseEngineCommand(['docker', 'run', '-d', 'img']);
    if (!run || !('runIndex' in run)) throw new Error('not parsed');
    expect(() => injectSession(run, { runtime: 'r', cidfile: 'c' })).toThrow(/foreground/);
  });

  it('the wrapper finds the runtime subcommand past runc/crun global options', () => {
    expect(
      subcommandOf(['--root', '/r', '--log', '/l', '--log-format', 'json', 'create', '--bundle', '/b', 'id']),
    ).toBe('create');
    expect(subcommandOf(['--systemd-cgroup', 'start', 'id'])).toBe('start');
    expect(subcommandOf(['--version'])).toBeUndefined();
  });
});

describe('selecting executables', () => {
  const rec = buildRecording(
    {
      command: ['x'],
      cwd: '/',
      startedAt: new Date(0),
      endedAt: new Date(0),
      outcome: { status: 'exited', code: 0 },
    },
    {
      counts: [
        ['/bin/sh', 'x86_64', 0, 2],
        ['/usr/sbin/runc', 'x86_64', 155, 1],
        ['/usr/bin/python3.11', 'x86_64', 1, 3],
      ],
      args: [],
      argsTruncated: [],
      execs: [],
      processes: 3,
      threads: 3,
      pinned: false,
    },
  );

  it('globs match paths with a slash, basenames without', () => {
    expect(executableMatcher('python3*')('/usr/bin/python3.11')).toBe(true);
    expect(executableMatcher('/usr/**')('/usr/sbin/runc')).toBe(true);
    expect(executableMatcher('/usr/*')('/usr/sbin/runc')).toBe(false);
    expect(executableMatcher('sh')('/bin/sh')).toBe(true);
  });

  it('--exe / --exclude-exe keep only those executables; nothing left is an error', () => {
    expect(
      Object.keys(selectExecutables(rec, { include: ['sh', 'python3*'], exclude: [] }).syscalls.x86_64 ?? {}),
    ).toEqual(['read', 'write']);
    expect(
      Object.keys(selectExecutables(rec, { include: [], exclude: ['runc'] }).syscalls.x86_64 ?? {}),
    ).toEqual(['read', 'write']);
    expect(() => selectExecutables(rec, { include: ['nope'], exclude: [] })).toThrow(/left no executable/);
  });

  it('a container recording gives its workload and post-filter parts by default', () => {
    const container = {
      workload: { '/bin/sh': { x86_64: { read: 2 } } },
      postFilter: { '/usr/sbin/runc': { x86_64: { pivot_root: 1 } } },
    };
    const sel = selectExecutables({ ...rec, container }, undefined);
    expect(Object.keys(sel.syscalls.x86_64 ?? {}).sort()).toEqual(['pivot_root', 'read']);
  });
});

describe('what broke', () => {
  it('parses the kernel audit record of a seccomp kill', () => {
    const line =
      '6,2046,1615673854,-;audit: type=1326 audit(1796167695.048:208): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=17215 comm="runc:[2:INIT]" exe="/" sig=31 arch=c000003e syscall=79 compat=0 ip=0x40828e code=0x80000000';
    expect(parseAuditLine(line)).toEqual({
      time: 1796167695048,
      pid: 17215,
      comm: 'runc:[2:INIT]',
      exe: '/',
      arch: 'x86_64',
      nr: 79,
      syscall: 'getcwd',
    });
    expect(parseAuditLine('audit: type=1300 audit(1.0:1): pid=1')).toBeUndefined();
  });

  it('names the runtime set a profile lacks, or says the measured set is stale', () => {
    expect(runtimeAdvice('epoll_ctl', { name: 'runc', version: '1.1.5', noNewPrivileges: false })).toMatch(
      /lacks runc's NNP-off set; regenerate with .*--runtime runc --no-nnp/,
    );
    expect(runtimeAdvice('pselect6', { name: 'crun', version: '1.8.1', noNewPrivileges: false })).toMatch(
      /crun's NNP-off set/,
    );
    expect(runtimeAdvice('mount', { name: 'runc', version: '9.9', noNewPrivileges: true })).toMatch(
      /re-measure/,
    );
  });

  it("the recorder's marker profile names every syscall once, with the marker as data", () => {
    const p = JSON.parse(markerProfile(0x5ec)) as {
      defaultAction: string;
      syscalls: { names: string[]; errnoRet: number }[];
    };
    expect(p.defaultAction).toBe('SCMP_ACT_TRACE');
    expect(p.syscalls).toHaveLength(1);
    expect(p.syscalls[0]!.errnoRet).toBe(0x5ec);
    expect(p.syscalls[0]!.names).toEqual(expect.arrayContaining(['read', 'clone3', 'socketcall']));
    expect(new Set(p.syscalls[0]!.names).size).toBe(p.syscalls[0]!.names.length);
  });
});
