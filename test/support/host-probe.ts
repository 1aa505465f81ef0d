// What this host can do, probed once before the suite runs (test/support/global-setup.ts). Each
// capability the tests depend on is tried for real (a C probe makes the syscall, the tool runs),
// never assumed from the kernel version or the distribution.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDockerd } from './engines.js';

/** Every host capability a test can ask for. */
export const CAPABILITIES = [
  'gcc',
  'strace',
  'python3',
  'git',
  'root',
  'seccomp',
  'ptrace',
  'ebpf',
  'i386',
  'x32',
  'libseccomp',
  'bwrap',
  'runc',
  'crun',
  'docker',
  'podman',
  'systemd-analyze',
  'systemd-socket-activate',
  'make',
  'linux-6.10',
  'pyyaml',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One probed capability: whether it works, and a phrase saying what was found. */
export interface Probe {
  readonly ok: boolean;
  /** e.g. "i386 emulation off (int 0x80 → SIGSEGV)" or "i386 emulation on". */
  readonly detail: string;
}
export type HostReport = Readonly<Record<Capability, Probe>>;

const PROBE_C = fileURLToPath(new URL('./probe.c', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/bin/profile.cjs', import.meta.url));

/**
 * `SECCOMP_PROFILER_TEST_FORCE=i386,x32`: report these present whatever the probe says (to show the
 * tests run, and how they fail, on a host without them). `SECCOMP_PROFILER_TEST_HIDE=gcc`: report
 * these missing (to check that their tests skip with the reason).
 */
function listed(variable: string): Capability[] {
  const names = (process.env[variable] ?? '').split(',').filter(Boolean);
  for (const name of names) {
    if (!(CAPABILITIES as readonly string[]).includes(name))
      throw new Error(`${variable}: unknown capability ${name} (one of ${CAPABILITIES.join(', ')})`);
  }
  return names as Capability[];
}

function run(cmd: string, args: readonly string[], timeout = 20_000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const firstLine = out.split('\n')[0] ?? '';
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: r.status === 0, status: r.status, signal: r.signal, firstLine, missing, out };
}

/** How a command ended, in a few words: "SIGSEGV", "exit 1: …", "not installed". */
function ending(r: ReturnType<typeof run>, what: string): string {
  if (r.missing) return `${what} not installed`;
  if (r.signal) return r.signal;
  return `exit ${r.status}${r.firstLine ? `: ${r.firstLine}` : ''}`;
}

function tool(cmd: string, args: readonly string[], label = cmd): Probe {
  const r = run(cmd, args);
  return r.ok
    ? { ok: true, detail: `${label} present (${r.firstLine || 'ok'})` }
    : { ok: false, detail: `${label} unavailable (${ending(r, cmd)})` };
}

function capSysAdmin(): boolean {
  const status = readFileSync('/proc/self/status', 'utf8');
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 21n)) !== 0n;
}

/** Compiles probe.c and a libseccomp program; returns the probe's path (or why it could not). */
function compileProbes(dir: string): { probe?: string; gcc: Probe; libseccomp: Probe } {
  const probe = join(dir, 'probe');
  const cc = run('gcc', ['-O1', '-o', probe, PROBE_C]);
  if (!cc.ok) {
    const why = cc.missing ? 'gcc not installed' : `gcc failed: ${cc.firstLine}`;
    return {
      gcc: { ok: false, detail: why },
      libseccomp: { ok: false, detail: `libseccomp untested (${why})` },
    };
  }
  const src = join(dir, 'scmp.c');
  writeFileSync(
    src,
    '#include <seccomp.h>\nint main(void){scmp_filter_ctx c=seccomp_init(SCMP_ACT_ALLOW);' +
      'if(!c)return 1;seccomp_release(c);return 0;}\n',
  );
  const scmp = join(dir, 'scmp');
  const link = run('gcc', ['-o', scmp, src, '-lseccomp']);
  const libseccomp: Probe = !link.ok
    ? { ok: false, detail: `libseccomp-dev missing (gcc -lseccomp: ${link.firstLine})` }
    : run(scmp, []).ok
      ? { ok: true, detail: 'libseccomp present (headers and library)' }
      : { ok: false, detail: 'libseccomp: seccomp_init failed' };
  return {
    probe,
    gcc: { ok: true, detail: `gcc present (${run('gcc', ['--version']).firstLine})` },
    libseccomp,
  };
}

function viaProbe(probe: string | undefined, mode: string, on: string, off: (r: string) => string): Probe {
  if (!probe) return { ok: false, detail: `${on.replace(/ on$/, '')} untested (no C compiler)` };
  const r = run(probe, [mode]);
  return r.ok ? { ok: true, detail: on } : { ok: false, detail: off(ending(r, 'probe')) };
}

/**
 * dockerd as the container tests start it (private socket and state, no networking): started, asked
 * for its version, stopped. An installed dockerd that cannot run on this host must skip, not fail.
 */
async function dockerdProbe(installed: Probe): Promise<Probe> {
  if (!installed.ok) return installed;
  const dir = mkdtempSync('/var/tmp/profile-dockerd-probe-');
  try {
    const dockerd = await startDockerd(dir);
    await dockerd.stop();
    return { ok: true, detail: `${installed.detail}; dockerd starts` };
  } catch (error) {
    return { ok: false, detail: `dockerd cannot start here (${(error as Error).message})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Probes every capability, dockerd included (a few seconds); call once per test run. */
export async function probeHost(): Promise<HostReport> {
  const report = probeTools();
  const docker = await dockerdProbe(report.docker);
  return applyOverrides({ ...report, docker });
}

function probeTools(): Record<Capability, Probe> {
  const dir = mkdtempSync(join(tmpdir(), 'profile-host-probe-'));
  try {
    const { probe, gcc, libseccomp } = compileProbes(dir);
    const root = capSysAdmin();
    const report: Record<Capability, Probe> = {
      gcc,
      strace: tool('strace', ['-V']),
      python3: tool('python3', ['--version']),
      git: tool('git', ['--version']),
      root: root
        ? { ok: true, detail: 'root (CAP_SYS_ADMIN)' }
        : { ok: false, detail: 'not root (no CAP_SYS_ADMIN)' },
      seccomp: viaProbe(probe, 'seccomp', 'seccomp filters on', (e) => `seccomp filters unavailable (${e})`),
      ptrace: viaProbe(
        probe,
        'syscall-info',
        'ptrace with PTRACE_GET_SYSCALL_INFO on',
        (e) => `ptrace or PTRACE_GET_SYSCALL_INFO unavailable (${e})`,
      ),
      ebpf: ebpfProbe(dir),
      i386: viaProbe(
        probe,
        'int80',
        'i386 emulation on',
        (e) => `i386 emulation off (int 0x80 → ${e.replace(/^exit \d+: /, '')})`,
      ),
      x32: viaProbe(probe, 'x32', 'x32 ABI on', (e) => `x32 ABI off (${e.replace(/^exit \d+: /, '')})`),
      libseccomp,
      bwrap: bwrapProbe(),
      runc: tool('runc', ['--version']),
      crun: tool('crun', ['--version']),
      docker: tool('dockerd', ['--version'], 'dockerd'),
      podman: tool('podman', ['--version']),
      'systemd-analyze': tool('systemd-analyze', ['--version']),
      'systemd-socket-activate': tool('systemd-socket-activate', ['--version']),
      make: tool('make', ['--version']),
      'linux-6.10': viaProbe(
        probe,
        'new-syscalls',
        'cachestat, fchmodat2, futex_wake, lsm_get_self_attr and mseal exist (Linux ≥ 6.10)',
        (e) => `a syscall of Linux 6.5–6.10 is missing (${e.replace(/^exit \d+: /, '')})`,
      ),
      // A YAML 1.1 reader, as go-yaml in Kubernetes is: NEL and U+2028 are line breaks there.
      pyyaml: tool('python3', ['-c', 'import yaml; print("PyYAML", yaml.__version__)'], 'PyYAML'),
    };
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function applyOverrides(report: Record<Capability, Probe>): HostReport {
  for (const cap of listed('SECCOMP_PROFILER_TEST_FORCE'))
    report[cap] = { ok: true, detail: `${report[cap].detail}; forced on` };
  for (const cap of listed('SECCOMP_PROFILER_TEST_HIDE'))
    report[cap] = { ok: false, detail: `${cap} hidden by SECCOMP_PROFILER_TEST_HIDE` };
  return report;
}

/**
 * The eBPF record backend, tried for real: the built CLI loads its programs through this kernel's
 * verifier and records /bin/true (global-setup builds first). Its one-line refusal is the reason.
 */
function ebpfProbe(dir: string): Probe {
  const r = run(process.execPath, [
    CLI,
    'record',
    '-q',
    '--backend',
    'ebpf',
    '-o',
    join(dir, 'ebpf.json'),
    'true',
  ]);
  return r.ok
    ? { ok: true, detail: 'eBPF recorder loads (root, BTF, verifier)' }
    : {
        ok: false,
        detail: r.firstLine.replace(/^profile: /, '') || `eBPF recorder failed (${ending(r, 'node')})`,
      };
}

/** bwrap as the consumer tests run it: host root read-only, fresh /dev and /proc. */
function bwrapProbe(): Probe {
  const r = run('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true']);
  return r.ok
    ? { ok: true, detail: 'bwrap works' }
    : { ok: false, detail: `bwrap cannot make its sandbox (${ending(r, 'bwrap')})` };
}
