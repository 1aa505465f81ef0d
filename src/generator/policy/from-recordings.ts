// Recordings → Policy: the union of what was seen, plus the baseline and runtime sets, with
// argument rules pinned to observed values where `--args` asks for it.
import { ARCHES, type Arch, syscallName, syscallNumber } from '../../arch/index.js';
import { ProfilerError } from '../../errors.js';
import { ARG_SPECS, type ArgField } from '../../recording/arg-specs.js';
import type { Recording } from '../../recording/schema.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';
import { describeOptions } from './describe-options.js';
import {
  answersNewerWithEnosys,
  newerNumberRanges,
  newerSyscallRules,
  newerSyscallsNote,
  oldestRecordedKernel,
  unknownKernelNote,
} from './newer-syscalls.js';
import type { GenerateOptions } from './options.js';
import { BASELINE_SYSCALLS, runtimeSyscalls } from './runtime.js';
import { selectExecutables } from './select.js';
import {
  type Action,
  type Condition,
  type NumberRange,
  type Policy,
  type Rule,
  sameAction,
} from './types.js';

const LOW32 = 0xffffffffn;
const PROT_WRITE = 0x2n;
const PROT_EXEC = 0x4n;
const WX = PROT_WRITE | PROT_EXEC;

/**
 * CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (0x7e020000, Docker's mask).
 * CLONE_NEWTIME (0x80) is left out: in clone() that bit belongs to the exit signal byte.
 */
export const CLONE_NEW_MASK = 0x7e020000n;

/** Syscalls `safe` restricts to observed values, and the argument field it looks at. */
const SAFE_FIELDS: Readonly<Record<string, string>> = {
  socket: 'domain',
  personality: 'persona',
};
/** `strict` adds these. */
const STRICT_FIELDS: Readonly<Record<string, string>> = {
  ioctl: 'request',
  prctl: 'option',
  fcntl: 'cmd',
  fcntl64: 'cmd',
};
const WX_SYSCALLS = new Set(['mmap', 'mmap2', 'mprotect', 'pkey_mprotect']);

/** What the recordings say about one syscall's arguments on one arch. */
interface Seen {
  /** undefined: unknown (not recorded, truncated, or missing a field) → no restriction. */
  values: Map<string, bigint[]> | undefined;
}

function seenArgsOf(recs: readonly Recording[], arch: Arch, names: readonly string[]): Seen {
  const fields = new Map<string, bigint[]>();
  const [name] = names;
  for (const rec of recs) {
    const recorded = names.find((n) => rec.syscalls[arch]?.[n]);
    if (recorded === undefined) continue;
    const entry = rec.args[arch]?.[recorded];
    if (!entry || entry.truncated || entry.values.length === 0) return { values: undefined };
    for (const tuple of entry.values) {
      for (const spec of ARG_SPECS[name!] ?? []) {
        const v = tuple[spec.name];
        if (v === undefined) return { values: undefined };
        const list = fields.get(spec.name) ?? [];
        list.push(BigInt(v));
        fields.set(spec.name, list);
      }
    }
  }
  return { values: fields.size ? fields : undefined };
}

function field(name: string, fieldName: string): ArgField | undefined {
  return ARG_SPECS[name]?.find((f) => f.name === fieldName);
}

function uniqueSorted(values: readonly bigint[]): bigint[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `arg == v`, on the low 32 bits for int-typed args (the kernel ignores their high half). */
function equals(spec: ArgField, v: bigint): Condition {
  const arg = spec.index as Condition['arg'];
  return spec.bits === 32
    ? { arg, op: 'MASKED_EQ', value: LOW32, valueTwo: v & LOW32 }
    : { arg, op: 'EQ', value: v };
}

/** Condition lists (ORed) that allow `name` given what was seen, or undefined for "no restriction". */
function argRules(name: string, seen: Seen, mode: GenerateOptions['args']): Condition[][] | undefined {
  if (mode === 'none' || !seen.values) return undefined;
  const fieldName = SAFE_FIELDS[name] ?? (mode === 'strict' ? STRICT_FIELDS[name] : undefined);
  if (fieldName) {
    const spec = field(name, fieldName);
    const values = seen.values.get(fieldName);
    if (!spec || !values) return undefined;
    return uniqueSorted(values.map((v) => (spec.bits === 32 ? v & LOW32 : v))).map((v) => [equals(spec, v)]);
  }
  if (name === 'clone') {
    const spec = field('clone', 'flags');
    const values = seen.values.get('flags');
    if (!spec || !values) return undefined;
    return uniqueSorted(values.map((v) => v & CLONE_NEW_MASK)).map((ns) => [
      { arg: spec.index as Condition['arg'], op: 'MASKED_EQ', value: CLONE_NEW_MASK, valueTwo: ns },
    ]);
  }
  if (WX_SYSCALLS.has(name)) {
    const spec = field(name, 'prot');
    const values = seen.values.get('prot');
    if (!spec || !values || values.some((p) => (p & WX) === WX)) return undefined;
    // W^X: allow every prot whose write and exec bits are not both set.
    const arg = spec.index as Condition['arg'];
    return [0n, PROT_WRITE, PROT_EXEC].map((bits) => [{ arg, op: 'MASKED_EQ', value: WX, valueTwo: bits }]);
  }
  return undefined;
}

/** Arches the recordings used, in ARCHES order. */
export function recordedArches(recs: readonly Recording[]): Arch[] {
  return ARCHES.filter((a) => recs.some((r) => Object.keys(r.syscalls[a] ?? {}).length > 0));
}

const ALLOW: Action = { kind: 'allow' };

/**
 * What `recs` saw on `arch`, by number: each recorded name with the number it stands for. A name the
 * table knows keeps its number; a number without a name (`syscall_500`: newer than our table, or a
 * name a newer table gave it) stays by the number recorded, so it is never dropped. Old recordings
 * that wrote `syscall_452` before 452 had a name get the table's name now.
 */
export function recordedSyscalls(recs: readonly Recording[], arch: Arch): Map<number, string> {
  const out = new Map<number, string>();
  for (const rec of recs) {
    for (const [name, { nr: recorded }] of Object.entries(rec.syscalls[arch] ?? {})) {
      const nr = syscallNumber(arch, name) ?? recorded;
      if (!out.has(nr)) out.set(nr, syscallName(arch, nr) ?? `syscall_${nr}`);
    }
  }
  return out;
}

/** The recorded names of `recs` on `arch` that stand for `nr` (for their argument values). */
function recordedNames(recs: readonly Recording[], arch: Arch, nr: number, name: string): string[] {
  const names = new Set([name]);
  for (const rec of recs)
    for (const [recorded, entry] of Object.entries(rec.syscalls[arch] ?? {}))
      if ((syscallNumber(arch, recorded) ?? entry.nr) === nr) names.add(recorded);
  return [...names];
}

/**
 * The Policy allowing the union of what `recs` saw, plus the baseline and runtime sets.
 * Rules are sorted by syscall number; a syscall with argument rules gets one rule per allowed value.
 * Syscalls with `truncated` argument lists are never restricted. Numbers without a name are allowed
 * by number. Recordings without any syscall (and no `opts.arches`) give a policy with no arches.
 * With `opts.enosysNewer`, syscalls newer than the oldest recorded kernel return ENOSYS.
 */
export function policyFromRecordings(all: readonly Recording[], opts: GenerateOptions): Policy {
  if (!all.length) throw new ProfilerError('USAGE', 'no recordings to build a policy from');
  const recs = all.map((rec) => selectExecutables(rec, opts.executables));
  // Recordings of drift (check/complain) may hold nothing: that is an empty policy, not an error.
  const arches = opts.arches ? [...opts.arches] : recordedArches(recs);
  const extra = new Set<string>(opts.baseline ? BASELINE_SYSCALLS : []);
  const runtime = new Set(runtimeSyscalls(opts.runtime, opts.noNewPrivileges));
  const kernel = oldestRecordedKernel(recs);
  const newer = opts.enosysNewer && answersNewerWithEnosys(opts.defaultAction);
  const rules: Partial<Record<Arch, Rule[]>> = {};
  const newerRules: Partial<Record<Arch, Rule[]>> = {};
  const ranges: Partial<Record<Arch, NumberRange[]>> = {};
  for (const arch of arches) {
    const wanted = new Map<number, string>();
    for (const name of [...extra, ...runtime, ...opts.errnoOverrides.keys()]) {
      const nr = syscallNumber(arch, name);
      if (nr !== undefined) wanted.set(nr, name);
    }
    for (const [nr, name] of recordedSyscalls(recs, arch)) if (!wanted.has(nr)) wanted.set(nr, name);
    const out: Rule[] = [];
    for (const [nr, name] of wanted) {
      const errno = opts.errnoOverrides.get(name);
      if (errno !== undefined) {
        const action: Action = { kind: 'errno', errno };
        if (!sameAction(action, opts.defaultAction)) out.push({ syscall: name, nr, action, conditions: [] });
        continue;
      }
      if (sameAction(ALLOW, opts.defaultAction)) continue;
      // The runtime's own calls (e.g. runc's prctl/fcntl) must pass whatever the workload did;
      // W^X still holds for them, since neither runtime maps writable+executable memory.
      const restricted =
        runtime.has(name) && !WX_SYSCALLS.has(name)
          ? undefined
          : argRules(name, seenArgsOf(recs, arch, recordedNames(recs, arch, nr, name)), opts.args);
      if (!restricted) out.push({ syscall: name, nr, action: ALLOW, conditions: [] });
      else for (const conditions of restricted) out.push({ syscall: name, nr, action: ALLOW, conditions });
    }
    if (newer && kernel) {
      const added = newerSyscallRules(arch, kernel, new Set(wanted.values()));
      newerRules[arch] = added;
      out.push(...added);
      ranges[arch] = newerNumberRanges(arch);
    }
    rules[arch] = out.sort((a, b) => a.nr - b.nr);
  }
  const notes =
    newer && arches.length ? [kernel ? newerSyscallsNote(kernel, newerRules) : unknownKernelNote()] : [];
  const command = recs[0]?.runs[0]?.command;
  const cwd = recs[0]?.runs[0]?.cwd;
  return {
    defaultAction: opts.defaultAction,
    arches,
    rules,
    ...(Object.keys(ranges).length ? { ranges } : {}),
    provenance: {
      tool: `${TOOL_NAME} ${TOOL_VERSION}`,
      sources: [],
      options: describeOptions(opts),
      ...(command ? { command } : {}),
      ...(cwd ? { cwd } : {}),
      ...(notes.length ? { notes } : {}),
    },
  };
}
