// libseccomp.so.2 through koffi: the differential oracle for our compiler and the bench baseline.
// Builds the same Policy with libseccomp's API, one filter context per arch merged together so that
// per-arch rules stay per-arch (a rule added to a multi-arch context applies to every arch by name).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import {
  ARCHES,
  type Arch,
  type LibseccompVersion,
  libseccompKnows,
  syscallNumber,
} from '../../src/arch/index.js';
import { decodeProgram } from '../../src/generator/bpf/encode.js';
import type { ValidatedProgram } from '../../src/generator/bpf/types.js';
import { actionValue, type Op, type Policy, type Rule } from '../../src/generator/policy/types.js';

// From /usr/include/seccomp.h (libseccomp 2.5.4).
const SCMP_FLTATR_ACT_BADARCH = 2;
const SCMP_FLTATR_CTL_OPTIMIZE = 8;
const SCMP_ACT_KILL_PROCESS = 0x80000000;
const SCMP_ARCH: Record<Arch, number> = {
  x86_64: 0xc000003e,
  i386: 0x40000003,
  x32: 0x4000003e, // EM_X86_64 | __AUDIT_ARCH_LE: libseccomp's own token; the filter still sees AUDIT_ARCH_X86_64
  aarch64: 0xc00000b7,
};
const SCMP_CMP: Record<Op, number> = { NE: 1, LT: 2, LE: 3, EQ: 4, GE: 5, GT: 6, MASKED_EQ: 7 };
const NR_SCMP_ERROR = -1;

interface Lib {
  init(def: number): unknown;
  release(ctx: unknown): void;
  merge(dst: unknown, src: unknown): number;
  archNative(): number;
  archAdd(ctx: unknown, token: number): number;
  archRemove(ctx: unknown, token: number): number;
  attrSet(ctx: unknown, attr: number, value: number): number;
  resolveName(name: string): number;
  resolveNameArch(token: number, name: string): number;
  /** A pointer to libseccomp's static struct scmp_version. */
  version(): unknown;
  ruleAdd(ctx: unknown, action: number, nr: number, count: number, args: unknown[] | null): number;
  exportBpf(ctx: unknown, fd: number): number;
}

let lib: Lib | undefined | null;

function load(): Lib | undefined {
  if (lib !== undefined) return lib ?? undefined;
  try {
    const so = koffi.load('libseccomp.so.2');
    koffi.struct('scmp_version', { major: 'unsigned int', minor: 'unsigned int', micro: 'unsigned int' });
    const ArgCmp = koffi.struct('scmp_arg_cmp', {
      arg: 'uint32_t',
      op: 'int',
      datum_a: 'uint64_t',
      datum_b: 'uint64_t',
    });
    lib = {
      init: so.func('void *seccomp_init(uint32_t def_action)'),
      release: so.func('void seccomp_release(void *ctx)'),
      merge: so.func('int seccomp_merge(void *dst, void *src)'),
      archNative: so.func('uint32_t seccomp_arch_native(void)'),
      archAdd: so.func('int seccomp_arch_add(void *ctx, uint32_t token)'),
      archRemove: so.func('int seccomp_arch_remove(void *ctx, uint32_t token)'),
      attrSet: so.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
      resolveName: so.func('int seccomp_syscall_resolve_name(const char *name)'),
      resolveNameArch: so.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)'),
      version: so.func('const scmp_version *seccomp_version(void)'),
      ruleAdd: so.func(
        'int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int count, const scmp_arg_cmp *args)',
      ),
      exportBpf: so.func('int seccomp_export_bpf(void *ctx, int fd)'),
    } as Lib;
    void ArgCmp;
  } catch {
    lib = null;
  }
  return lib ?? undefined;
}

/** The version of the loaded libseccomp (seccomp_version()). */
export function libseccompVersion(): LibseccompVersion {
  const l = load();
  if (!l) throw new Error('libseccomp.so.2 is not available');
  // koffi hands back a pointer to the struct; read its fields.
  const v = koffi.decode(l.version(), 'scmp_version') as { major: number; minor: number; micro: number };
  return [v.major, v.minor, v.micro];
}

/**
 * True when the loaded libseccomp puts `name` in `arch`'s filter: a number, or one of the pseudo
 * numbers of the socket (-101…-120) and SysV IPC (-201…-224) calls it also routes through
 * socketcall()/ipc(). Not for an unknown name (-1) or another pseudo number (a name it knows on
 * other ABIs only, dropped from this one without a word). Distributions patch its table without
 * changing the version (Debian 12's 2.5.4 knows Linux 6.7's calls), so only the library can say.
 */
export function libseccompResolves(arch: Arch, name: string): boolean {
  const l = load();
  if (!l) throw new Error('libseccomp.so.2 is not available');
  const nr = l.resolveNameArch(SCMP_ARCH[arch], name);
  return nr >= 0 || (nr <= -101 && nr >= -224);
}

/**
 * The names of `names` that the loaded libseccomp does not resolve on `arch`, after checking that
 * each is one its release does not know either (upstream tables, src/arch/libseccomp-release.ts):
 * the library may know more than its version says, never less.
 */
export function unknownToLibseccomp(arch: Arch, names: Iterable<string>): string[] {
  const version = libseccompVersion();
  const unknown = [...new Set(names)].filter((name) => !libseccompResolves(arch, name));
  for (const name of unknown) {
    if (libseccompKnows(arch, name, version) === true) {
      throw new Error(`libseccomp ${version.join('.')} should resolve ${arch}:${name} but does not`);
    }
  }
  return unknown.sort();
}

/**
 * The names of `names` the loaded libseccomp knows on no ABI (what systemd, which resolves
 * SystemCallFilter= names with it, reports as "Failed to parse system call, ignoring"), after
 * checking that its release knows none of them on our ABIs either.
 */
export function namesUnknownToLibseccomp(names: Iterable<string>): string[] {
  const l = load();
  if (!l) throw new Error('libseccomp.so.2 is not available');
  const version = libseccompVersion();
  const unknown = [...new Set(names)].filter((name) => l.resolveName(name) === NR_SCMP_ERROR);
  for (const name of unknown) {
    const arch = ARCHES.find((a) => libseccompKnows(a, name, version) === true);
    if (arch) throw new Error(`libseccomp ${version.join('.')} should resolve ${arch}:${name} but does not`);
  }
  return unknown.sort();
}

/** `arch:nr` keys of the rules compileWithLibseccomp left out (see LibseccompResult.skipped). */
export function skippedNumbers(skipped: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const entry of skipped) {
    const [arch, syscall] = entry.split(':') as [Arch, string];
    const nr = syscallNumber(arch, syscall);
    if (nr !== undefined) out.add(`${arch}:${nr}`);
  }
  return out;
}

/** Options of compileWithLibseccomp. */
export interface LibseccompOptions {
  /** SCMP_FLTATR_CTL_OPTIMIZE: 1 = priority/linear (default), 2 = binary tree. */
  readonly optimize?: 1 | 2;
}

/** libseccomp's filter for `policy`, and the rules it could not take (with libseccomp's reason). */
export interface LibseccompResult {
  readonly program: ValidatedProgram;
  /** `arch:syscall: reason` for rules left out. */
  readonly skipped: readonly string[];
}

function check(rc: number, what: string): void {
  if (rc !== 0) throw new Error(`libseccomp: ${what} failed with ${rc}`);
}

/**
 * Builds `policy` with libseccomp. Its model differs from ours in ways the caller must respect:
 * rules whose action equals the default are refused (we skip them; they only matter under
 * first-match when they shadow a later rule of the same syscall, so that throws), several rules of
 * one syscall with different actions do not follow first-match, and names it does not know
 * (syscalls newer than its table, see unknownToLibseccomp) are skipped and reported.
 */
export function compileWithLibseccomp(policy: Policy, opts: LibseccompOptions = {}): LibseccompResult {
  const l = load();
  if (!l) throw new Error('libseccomp.so.2 is not available');
  const def = actionValue(policy.defaultAction);
  const skipped: string[] = [];
  const native = l.archNative();
  const contexts: unknown[] = [];
  const arches = [...new Set(policy.arches)];
  try {
    for (const arch of arches) {
      const ctx = l.init(def);
      if (!ctx) throw new Error('libseccomp: seccomp_init failed');
      contexts.push(ctx);
      check(l.attrSet(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), 'setting the bad-arch action');
      check(l.attrSet(ctx, SCMP_FLTATR_CTL_OPTIMIZE, opts.optimize ?? 1), 'setting the optimize level');
      if (SCMP_ARCH[arch] !== native) {
        check(l.archAdd(ctx, SCMP_ARCH[arch]), `adding arch ${arch}`);
        check(l.archRemove(ctx, native), 'removing the native arch');
      }
      const rules = policy.rules[arch] ?? [];
      const shadowing = new Set<string>();
      for (const rule of rules) addRule(l, ctx, arch, rule, def, skipped, shadowing);
    }
    if (contexts.length === 0) throw new Error('libseccomp cannot build a filter without arches');
    const [dst, ...rest] = contexts;
    for (const src of rest) {
      check(l.merge(dst, src), 'merging per-arch filters');
      contexts.splice(contexts.indexOf(src), 1); // merge releases src
    }
    return { program: exportProgram(l, dst), skipped };
  } finally {
    for (const ctx of contexts) l.release(ctx);
  }
}

function addRule(
  l: Lib,
  ctx: unknown,
  arch: Arch,
  rule: Rule,
  def: number,
  skipped: string[],
  defaultRuled: Set<string>,
): void {
  const action = actionValue(rule.action);
  if (action === def) {
    defaultRuled.add(rule.syscall);
    return;
  }
  if (defaultRuled.has(rule.syscall)) {
    throw new Error(
      `${arch}:${rule.syscall}: a rule with the default action shadows a later rule; libseccomp cannot express that`,
    );
  }
  // A name libseccomp has no number for on `arch` it drops from that arch's filter without a word.
  if (!libseccompResolves(arch, rule.syscall)) {
    skipped.push(`${arch}:${rule.syscall}: unknown to libseccomp`);
    return;
  }
  // seccomp_rule_add takes native numbers (libseccomp maps them to `arch` by name).
  const nr = l.resolveName(rule.syscall);
  const args = rule.conditions.map((c) => ({
    arg: c.arg,
    op: SCMP_CMP[c.op],
    datum_a: c.value,
    datum_b: c.valueTwo ?? 0n,
  }));
  const rc = l.ruleAdd(ctx, action, nr, args.length, args.length > 0 ? args : null);
  if (rc !== 0) skipped.push(`${arch}:${rule.syscall}: seccomp_rule_add_array returned ${rc}`);
}

function exportProgram(l: Lib, ctx: unknown): ValidatedProgram {
  const dir = mkdtempSync(join(tmpdir(), 'libseccomp-'));
  const path = join(dir, 'filter.bpf');
  const fd = openSync(path, 'w+');
  try {
    check(l.exportBpf(ctx, fd), 'seccomp_export_bpf');
  } finally {
    closeSync(fd);
  }
  try {
    return decodeProgram(new Uint8Array(readFileSync(path)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
