// Flags dangerous allowances in a Policy, each with a one-line reason.
// "Allowed" is decided by evaluatePolicy (or, for raw filters, by running the program) on probe
// arguments built from the rules' own constants, so argument rules, rule order and the default
// action are all honoured.
import { type Arch, AUDIT_ARCH, syscallNumber, syscallTable } from '../arch/index.js';
import { conditionHolds, evaluatePolicy, type SyscallInput } from '../generator/policy/evaluate.js';
import type { Action, Policy, Rule } from '../generator/policy/types.js';
import { describeAction, formatValue, isPermissive } from './describe.js';

export type LintCheck =
  | 'dangerous-syscall'
  | 'clone-namespaces'
  | 'clone3-unfilterable'
  | 'write-exec-memory'
  | 'foreign-abi'
  | 'no-arch-check'
  | 'default-allows';

/** One problem: `message` is a single line naming what is allowed and why it matters. */
export interface LintFinding {
  readonly check: LintCheck;
  readonly arch?: Arch;
  readonly syscall?: string;
  readonly message: string;
}

/** Syscalls a workload rarely needs and an attacker loves, with the reason printed. */
export const DANGEROUS_SYSCALLS: Readonly<Record<string, string>> = {
  ptrace: 'reads and writes other processes (and defeats seccomp on kernels before 4.8)',
  process_vm_writev: 'writes the memory of other processes',
  bpf: 'loads eBPF programs into the kernel, a frequent privilege-escalation path',
  mount: 'changes the filesystem view, a classic container escape',
  umount2: 'changes the filesystem view, a classic container escape',
  pivot_root: 'changes the filesystem root, a container escape primitive',
  fsmount: 'creates mounts (new mount API), a classic container escape',
  move_mount: 'moves mounts (new mount API), a classic container escape',
  open_by_handle_at: 'opens files by handle past path checks (the "shocker" container escape)',
  kexec_load: 'replaces the running kernel',
  kexec_file_load: 'replaces the running kernel',
  init_module: 'loads code into the kernel',
  finit_module: 'loads code into the kernel',
  delete_module: 'unloads kernel modules',
  userfaultfd: 'stalls kernel page faults at will, a staple of kernel exploits',
  keyctl: 'the kernel keyring is not namespaced: keys leak across containers',
  add_key: 'the kernel keyring is not namespaced: keys leak across containers',
  request_key: 'the kernel keyring is not namespaced: keys leak across containers',
  perf_event_open: 'exposes kernel addresses and has a long history of kernel exploits',
  unshare: 'creates namespaces (user namespaces expose much more kernel attack surface)',
  setns: 'joins other namespaces',
};

/** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET. */
const CLONE_NEW_BITS = [0x20000n, 0x2000000n, 0x4000000n, 0x8000000n, 0x10000000n, 0x20000000n, 0x40000000n];
const CLONE_NEW_MASK = CLONE_NEW_BITS.reduce((a, b) => a | b, 0n);
const PROT_WRITE_EXEC = 0x6n;
const MAX64 = (1n << 64n) - 1n;

/** A property the probed arguments must have (e.g. "a namespace flag is set in arg0"). */
interface ArgConstraint {
  readonly arg: number;
  readonly holds: (value: bigint) => boolean;
  /** Bits ORed into probe values so that the constraint can hold. */
  readonly seeds: readonly bigint[];
}

function probeValues(
  rules: readonly Rule[],
  arg: number,
  constraint: ArgConstraint | undefined,
  extra: readonly bigint[],
): bigint[] {
  const base = new Set<bigint>([0n, MAX64]);
  for (const v of extra)
    for (const x of [v, (v - 1n) & MAX64, (v + 1n) & MAX64, ~v & MAX64]) base.add(x & MAX64);
  for (const rule of rules) {
    for (const c of rule.conditions) {
      if (c.arg !== arg) continue;
      const v = c.value & MAX64;
      const two = (c.valueTwo ?? 0n) & MAX64;
      for (const x of [v, two, v | two, two & v, (v - 1n) & MAX64, (v + 1n) & MAX64, ~v & MAX64]) base.add(x);
    }
  }
  if (!constraint || constraint.arg !== arg) return [...base];
  const out = new Set<bigint>();
  for (const seed of constraint.seeds) {
    out.add(seed);
    for (const b of base) out.add(b | seed);
  }
  return [...out].filter(constraint.holds);
}

/** What the filter does with one syscall: the Policy's reference semantics, or a raw program run. */
export type Evaluator = (input: SyscallInput) => Action;

/**
 * Arguments for which the filter lets `name` run on `arch` (with `constraint` holding), or undefined.
 * Probes: each rule's satisfying vector, and each probe value on its own.
 */
export function findAllowedArgs(
  policy: Policy,
  arch: Arch,
  name: string,
  constraint?: ArgConstraint,
  options: LintOptions = {},
): bigint[] | undefined {
  if (!policy.arches.includes(arch)) return undefined;
  const nr = syscallNumber(arch, name);
  if (nr === undefined) return undefined;
  const evaluate = options.evaluate ?? ((input: SyscallInput) => evaluatePolicy(policy, input));
  const rules = (policy.rules[arch] ?? []).filter((r) => r.nr === nr);
  const probes = [0, 1, 2, 3, 4, 5].map((i) => probeValues(rules, i, constraint, options.constants ?? []));
  const first = probes.map((p) => p[0] ?? 0n);
  const vectors: bigint[][] = [first];
  for (const rule of rules) {
    const v = probes.map((values, i) => {
      const conds = rule.conditions.filter((c) => c.arg === i);
      return values.find((x) => conds.every((c) => conditionHolds(c, argsWith(i, x), arch)));
    });
    if (v.every((x) => x !== undefined)) vectors.push(v as bigint[]);
  }
  probes.forEach((values, i) => {
    for (const x of values) vectors.push(first.map((y, j) => (j === i ? x : y)));
  });
  const input = { auditArch: AUDIT_ARCH[arch], nr };
  for (const args of vectors) {
    if (constraint && !constraint.holds(args[constraint.arg] ?? 0n)) continue;
    if (isPermissive(evaluate({ ...input, args }))) return args;
  }
  return undefined;
}

function argsWith(i: number, value: bigint): bigint[] {
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  args[i] = value;
  return args;
}

export interface LintOptions {
  /** For raw BPF inputs: whether the program checks seccomp_data.arch (from summarizeProgram). */
  readonly checksArch?: boolean;
  /**
   * For raw BPF inputs: run the program itself (the lifted Policy loses argument rules), with
   * the program's constants as extra probe values.
   */
  readonly evaluate?: Evaluator;
  readonly constants?: readonly bigint[];
}

/** True when some syscall of `arch` (zero arguments) is allowed: the ABI is open at all. */
function archOpen(policy: Policy, arch: Arch, evaluate: Evaluator): boolean {
  if (!policy.arches.includes(arch)) return false;
  const args = [0n, 0n, 0n, 0n, 0n, 0n];
  return Object.values(syscallTable(arch)).some((nr) =>
    isPermissive(evaluate({ auditArch: AUDIT_ARCH[arch], nr, args })),
  );
}

/** Every dangerous allowance in `policy`, in a stable order. */
export function lintPolicy(policy: Policy, options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  if (options.checksArch === false) {
    findings.push({
      check: 'no-arch-check',
      message:
        'the filter never checks seccomp_data.arch: i386 (int 0x80) and x32 calls reuse the rules under other syscall numbers',
    });
  }
  if (isPermissive(policy.defaultAction)) {
    findings.push({
      check: 'default-allows',
      message: `default action is ${describeAction(policy.defaultAction)}: every syscall not listed runs (a denylist, not an allowlist)`,
    });
  }
  const evaluate = options.evaluate ?? ((input: SyscallInput) => evaluatePolicy(policy, input));
  if (policy.arches.includes('x86_64')) {
    for (const arch of ['i386', 'x32'] as const) {
      if (!archOpen(policy, arch, evaluate)) continue;
      findings.push({
        check: 'foreign-abi',
        arch,
        message: `${arch} syscalls are allowed on x86_64: a second syscall table to attack, rarely needed (${arch === 'i386' ? 'int 0x80' : 'x32 ABI'})`,
      });
    }
  }
  for (const arch of policy.arches) {
    for (const [name, reason] of Object.entries(DANGEROUS_SYSCALLS)) {
      const args = findAllowedArgs(policy, arch, name, undefined, options);
      if (args)
        findings.push({
          check: 'dangerous-syscall',
          arch,
          syscall: name,
          message: `${arch} ${name} allowed: ${reason}`,
        });
    }
    const ns: ArgConstraint = { arg: 0, holds: (v) => (v & CLONE_NEW_MASK) !== 0n, seeds: CLONE_NEW_BITS };
    const cloneArgs = findAllowedArgs(policy, arch, 'clone', ns, options);
    if (cloneArgs) {
      findings.push({
        check: 'clone-namespaces',
        arch,
        syscall: 'clone',
        message: `${arch} clone allowed with namespace flags (e.g. flags ${formatValue(cloneArgs[0] ?? 0n)}): the process can create namespaces`,
      });
    }
    if (findAllowedArgs(policy, arch, 'clone3', undefined, options)) {
      findings.push({
        check: 'clone3-unfilterable',
        arch,
        syscall: 'clone3',
        message: `${arch} clone3 allowed: its flags live in memory seccomp cannot read, so namespace flags pass (generate with --errno clone3=ENOSYS; glibc falls back to clone)`,
      });
    }
    const wx: ArgConstraint = {
      arg: 2,
      holds: (v) => (v & PROT_WRITE_EXEC) === PROT_WRITE_EXEC,
      seeds: [PROT_WRITE_EXEC],
    };
    for (const name of ['mmap', 'mmap2', 'mprotect', 'pkey_mprotect']) {
      if (findAllowedArgs(policy, arch, name, wx, options)) {
        findings.push({
          check: 'write-exec-memory',
          arch,
          syscall: name,
          message: `${arch} ${name} allowed with PROT_WRITE|PROT_EXEC: writable and executable memory makes code injection easy`,
        });
      }
    }
  }
  return findings;
}

/** The findings as text, one line each. */
export function formatFindings(findings: readonly LintFinding[], source: string): string {
  if (findings.length === 0) return `${source}: no dangerous allowances found\n`;
  return `${findings.map((f) => `${source}: ${f.check}: ${f.message}`).join('\n')}\n`;
}
