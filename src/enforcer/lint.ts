// Flags dangerous allowances in a Policy, each with a one-line reason.
// "Allowed" is decided by evaluatePolicy (or, for raw filters, by running the program) on probe
// arguments built from the rules' own constants, so argument rules, rule order and the default
// action are all honoured.
import type { Arch } from '../arch/index.js';
import { evaluatePolicy, type SyscallInput } from '../generator/policy/evaluate.js';
import type { Policy } from '../generator/policy/types.js';
import { isPermissive } from '../generator/policy/types.js';
import { type ArgConstraint, archOpen, findAllowedArgs, type LintOptions } from './allowed-args.js';
import { describeAction, formatValue } from './describe.js';

export type { Evaluator, LintOptions } from './allowed-args.js';

export type LintCheck =
  | 'dangerous-syscall'
  | 'clone-namespaces'
  | 'clone3-unfilterable'
  | 'write-exec-memory'
  | 'foreign-abi'
  | 'no-arch-check'
  | 'default-allows'
  | 'libseccomp-skips'
  | 'other-abi-name';

/**
 * One problem: `message` is a single line naming what is allowed and why it matters. A finding with
 * `severity: 'note'` is a remark (a name skipped on ABIs that lack it, a rule an older libseccomp
 * skips); it is printed but does not fail `lint --strict`.
 */
export interface LintFinding {
  readonly check: LintCheck;
  readonly severity?: 'note';
  readonly arch?: Arch;
  readonly syscall?: string;
  readonly message: string;
}

/** Syscalls a workload rarely needs and an attacker loves, with the reason printed. */
export const DANGEROUS_SYSCALLS: Readonly<Record<string, string>> = {
  ptrace: 'reads and writes other processes (and defeats seccomp on kernels before 4.8)',
  process_vm_readv: 'reads the memory of other processes',
  process_vm_writev: 'writes the memory of other processes',
  pidfd_getfd: 'copies file descriptors out of other processes',
  io_uring_setup:
    'io_uring does its I/O in kernel workers that seccomp never sees, and is a rich source of kernel exploits',
  io_uring_enter:
    'io_uring does its I/O in kernel workers that seccomp never sees, and is a rich source of kernel exploits',
  io_uring_register:
    'io_uring does its I/O in kernel workers that seccomp never sees, and is a rich source of kernel exploits',
  bpf: 'loads eBPF programs into the kernel, a frequent privilege-escalation path',
  mount: 'changes the filesystem view, a classic container escape',
  umount2: 'changes the filesystem view, a classic container escape',
  pivot_root: 'changes the filesystem root, a container escape primitive',
  fsmount: 'creates mounts (new mount API), a classic container escape',
  move_mount: 'moves mounts (new mount API), a classic container escape',
  open_tree: 'clones mount trees (new mount API), a step towards changing the filesystem view',
  open_tree_attr: 'clones mount trees with new attributes (new mount API)',
  fsopen: 'creates a filesystem context to mount (new mount API)',
  fspick: 'reconfigures existing mounts (new mount API)',
  fsconfig: 'configures a filesystem to mount (new mount API)',
  mount_setattr: 'changes mount attributes, e.g. clears read-only or nosuid (new mount API)',
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

/**
 * What to do about clone3, where something applies: ENOSYS makes glibc fall back to clone, which
 * helps only when clone is allowed and refuses namespace flags.
 */
function clone3Advice(
  policy: Policy,
  arch: Arch,
  cloneTakesNamespaces: boolean,
  options: LintOptions,
): string {
  if (cloneTakesNamespaces) return ' (as they do through clone here)';
  if (!findAllowedArgs(policy, arch, 'clone', undefined, options))
    return ' (clone is not allowed, so ENOSYS for clone3 would leave no way to start threads)';
  return ' (generate with --errno clone3=ENOSYS: glibc then falls back to clone, whose flags the profile checks)';
}

/** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET. */
const CLONE_NEW_BITS = [0x20000n, 0x2000000n, 0x4000000n, 0x8000000n, 0x10000000n, 0x20000000n, 0x40000000n];
const CLONE_NEW_MASK = CLONE_NEW_BITS.reduce((a, b) => a | b, 0n);
const PROT_WRITE_EXEC = 0x6n;
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
        message: `${arch} clone3 allowed: its flags live in memory seccomp cannot read, so namespace flags pass${clone3Advice(policy, arch, cloneArgs !== undefined, options)}`,
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
  const lines = findings.map(
    (f) => `${source}: ${f.severity ? `${f.severity}: ` : ''}${f.check}: ${f.message}`,
  );
  if (!findings.some(isProblem)) lines.push(`${source}: no dangerous allowances found`);
  return `${lines.join('\n')}\n`;
}

/** True for findings that fail `lint --strict` (everything but notes). */
export function isProblem(finding: LintFinding): boolean {
  return finding.severity !== 'note';
}
