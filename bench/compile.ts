// `npm run bench:compile`: our seccomp compiler against libseccomp 2.5.4 (linear default, and its
// binary tree with SCMP_FLTATR_CTL_OPTIMIZE=2) on moby-default and on profiles generated from real
// recordings. Reports program length and instructions executed per syscall (average and maximum
// over every named syscall number of each arch, arguments zero), counted by our interpreter.
import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import { type Arch, AUDIT_ARCH, syscallTable } from '../src/arch/index.js';
import { runFilter } from '../src/generator/bpf/interpreter.js';
import type { ValidatedProgram } from '../src/generator/bpf/types.js';
import { parseDockerProfile } from '../src/generator/input/docker.js';
import { policyFromRecordings } from '../src/generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS } from '../src/generator/policy/options.js';
import type { Policy } from '../src/generator/policy/types.js';
import { compilePolicy } from '../src/generator/seccomp/compile.js';
import { seccompData } from '../src/generator/seccomp/data.js';
import { trace } from '../src/tracer/index.js';
import { MOBY_DEFAULT, PODMAN_DEFAULT } from '../test/support/fixtures.js';
import { compileWithLibseccomp } from '../test/support/libseccomp.js';

interface Cost {
  avg: number;
  max: number;
}

/** Instructions executed per syscall over every named number of `arch`. */
function costOf(p: ValidatedProgram, arch: Arch): Cost {
  const nrs = [...new Set(Object.values(syscallTable(arch)))];
  let sum = 0;
  let max = 0;
  for (const nr of nrs) {
    const stats = { executed: 0 };
    runFilter(p, seccompData({ auditArch: AUDIT_ARCH[arch], nr, args: [] }), { stats });
    sum += stats.executed;
    max = Math.max(max, stats.executed);
  }
  return { avg: sum / nrs.length, max };
}

/**
 * A recorded workload's profile, x86_64 only: without ENOSYS for newer syscalls (libseccomp cannot
 * express the range above the table, and Debian's 2.5.4 skips the newest names), so that all three
 * compilers build the same thing; the default (with it) is measured for ours apart.
 */
async function recorded(name: string, argv: string[]): Promise<[string, Policy, Policy] | undefined> {
  try {
    const result = await trace({ argv });
    const opts = { ...DEFAULT_GENERATE_OPTIONS, arches: ['x86_64' as const] };
    const plain = policyFromRecordings([result.recording], { ...opts, enosysNewer: false });
    return [name, plain, policyFromRecordings([result.recording], opts)];
  } catch (error) {
    console.error(`skipping ${name}: ${(error as Error).message}`);
    return undefined;
  }
}

const moby = parseDockerProfile(
  readFileSync(MOBY_DEFAULT, 'utf8'),
  'moby-default.json',
  DEFAULT_GENERATE_OPTIONS,
);
const podman = parseDockerProfile(
  readFileSync(PODMAN_DEFAULT, 'utf8'),
  'podman-default.json',
  DEFAULT_GENERATE_OPTIONS,
);
const withEnosys: [string, Policy][] = [];
const profiles: [string, Policy][] = [
  ['moby-default', moby],
  ['moby-default (x86_64 only)', { ...moby, arches: ['x86_64'] }],
  ['podman-default', podman],
];
// One trace at a time: tracing is ptrace-heavy and the two workloads must not share a recording.
for (const [name, argv] of [
  ['recorded: sh -c "ls -la /usr"', ['/bin/sh', '-c', 'ls -la /usr >/dev/null']],
  [
    'recorded: python3 (threads, socket, subprocess)',
    [
      '/usr/bin/python3',
      '-c',
      'import json, socket, threading, subprocess\n' +
        't = threading.Thread(target=lambda: json.dumps({"a": 1})); t.start(); t.join()\n' +
        'socket.socket().close()\nsubprocess.run(["/bin/true"])',
    ],
  ],
] as const) {
  const p = await recorded(name, [...argv]);
  if (p) {
    profiles.push([p[0], p[1]]);
    withEnosys.push([p[0], p[2]]);
    console.error(`${name}: ${p[1].rules.x86_64?.length ?? 0} rules`);
  }
}

const compilers: [string, (p: Policy) => ValidatedProgram][] = [
  ['ours', (p) => compilePolicy(p)],
  ['libseccomp linear', (p) => compileWithLibseccomp(p, { optimize: 1 }).program],
  ['libseccomp tree (OPTIMIZE=2)', (p) => compileWithLibseccomp(p, { optimize: 2 }).program],
];

const table = new Table({
  head: ['profile', 'compiler', 'length', ...['x86_64', 'i386', 'x32'].map((a) => `${a} avg/max`)],
});
const ratios = new Table({
  head: ['profile', 'length: ours / linear', 'avg (x86_64): ours / tree', 'avg (x86_64): ours / linear'],
});
for (const [name, policy] of profiles) {
  const results = compilers.map(([label, compile]) => {
    const program = compile(policy);
    const costs = Object.fromEntries(policy.arches.map((arch) => [arch, costOf(program, arch)])) as Partial<
      Record<Arch, Cost>
    >;
    return { label, length: program.length, costs };
  });
  for (const r of results) {
    table.push([
      name,
      r.label,
      r.length,
      ...(['x86_64', 'i386', 'x32'] as const).map((arch) => {
        const c = r.costs[arch];
        return c ? `${c.avg.toFixed(1)} / ${c.max}` : '-';
      }),
    ]);
  }
  const [ours, linear, tree] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  const avg = (r: (typeof results)[0]): number => r.costs.x86_64?.avg ?? Number.NaN;
  ratios.push([
    name,
    `${ours.length} / ${linear.length} = ${(ours.length / linear.length).toFixed(2)}`,
    `${avg(ours).toFixed(1)} / ${avg(tree).toFixed(1)} = ${(avg(ours) / avg(tree)).toFixed(2)}`,
    `${avg(ours).toFixed(1)} / ${avg(linear).toFixed(1)} = ${(avg(ours) / avg(linear)).toFixed(2)}`,
  ]);
}
const enosys = new Table({
  head: ['profile (ours, x86_64)', 'length: plain → ENOSYS for newer', 'avg/max: plain → ENOSYS for newer'],
});
for (const [name, policy] of withEnosys) {
  const plain = compilePolicy(profiles.find(([n]) => n === name)![1]);
  const full = compilePolicy(policy);
  const [a, b] = [costOf(plain, 'x86_64'), costOf(full, 'x86_64')];
  enosys.push([
    name,
    `${plain.length} → ${full.length}`,
    `${a.avg.toFixed(1)}/${a.max} → ${b.avg.toFixed(1)}/${b.max}`,
  ]);
}
console.log(table.toString());
console.log(ratios.toString());
console.log(enosys.toString());
console.log(
  'Instructions executed are counted by our interpreter for every named syscall number of the arch ' +
    '(arguments zero), including the arch check and the final return. Recorded profiles are compared ' +
    'with --no-enosys-newer; the last table shows what ENOSYS for newer syscalls (their names, and the ' +
    'range above the table, which libseccomp cannot express) costs ours.',
);
