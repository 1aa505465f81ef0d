// Docker/Moby profile JSON and OCI linux.seccomp share one shape; this turns either into the IR.
// Semantics follow moby (profiles/seccomp) and runc (libcontainer/seccomp) so a profile means
// here what it means to Docker: includes/excludes, errnoRet defaults, repeated-arg-index rules.

import { errnoNumber } from '../../arch/errno.js';
import { type Arch, lookupSyscall, nativeArch } from '../../arch/index.js';
import { archOfScmp, FOREIGN_SCMP_ARCHES, SCMP_ARCH } from '../../arch/scmp.js';
import { actionOfScmp, SCMP_ACTION_NAMES } from '../../arch/seccomp.js';
import { ProfilerError } from '../../errors.js';
import type { JsonValue } from '../../util/json.js';
import { DOCKER_DEFAULT_CAPS, normalizeCap } from '../policy/capabilities.js';
import { targetKernel } from '../policy/kernel-version.js';
import { isKnownSyscall, suggestion } from '../policy/names.js';
import type { GenerateOptions } from '../policy/options.js';
import { opOfScmp, SCMP_CMP } from '../policy/scmp-ops.js';
import {
  type Action,
  actionOf,
  type Condition,
  type Policy,
  type Rule,
  sameAction,
} from '../policy/types.js';
import { Ctx, isObj, type Obj } from './json-shape.js';
import { applies, type Filter } from './moby-conditions.js';
import { SkippedNames } from './skipped-names.js';

const EPERM = errnoNumber('EPERM')!;
const U64_MAX = (1n << 64n) - 1n;

export type Dialect = 'docker' | 'oci';

/** The provenance a profile carries under "x-seccomp-profiler" (written by our emitters). */
export interface ProfileMeta {
  readonly command?: string[];
  readonly cwd?: string;
}

/** A profile read into the IR, with its metadata and what it said that the policy does not keep. */
export interface ParsedProfile {
  readonly policy: Policy;
  readonly meta?: ProfileMeta;
  /** One line each, e.g. the names skipped on ABIs that lack them. */
  readonly notes: readonly string[];
}

/** Maps a SCMP_ACT_* name (+ errnoRet) to an Action; SCMP_ACT_KILL is kill-thread, as in runc. */
export function actionFromScmp(
  name: JsonValue | undefined,
  errnoRet: JsonValue | undefined,
  ctx: Ctx,
  where: string,
): Action {
  if (typeof name !== 'string') ctx.fail(where, 'missing `action`');
  let ret: number | undefined;
  if (errnoRet !== undefined && errnoRet !== null) {
    if (typeof errnoRet !== 'number' || !Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > 0xffff)
      ctx.fail(where, `errnoRet must be an integer 0..65535, got ${String(errnoRet)}`);
    ret = errnoRet;
  }
  const fact = actionOfScmp(name);
  if (!fact) return ctx.fail(where, `unknown action \`${name}\`${suggestion(name, SCMP_ACTION_NAMES)}`);
  // runc passes errnoRet to ERRNO and TRACE, defaulting to EPERM; other actions carry no data.
  switch (fact.kind) {
    case 'errno':
      return { kind: 'errno', errno: ret ?? EPERM };
    case 'trace':
      return { kind: 'trace', data: ret ?? EPERM };
    default:
      return actionOf(fact.kind);
  }
}

function archesOf(ctx: Ctx, names: readonly string[], where: string): Arch[] {
  const out: Arch[] = [];
  for (const name of names) {
    const arch = archOfScmp(name);
    if (arch) {
      if (!out.includes(arch)) out.push(arch);
    } else if (!FOREIGN_SCMP_ARCHES.includes(name)) {
      ctx.fail(
        where,
        `unknown architecture \`${name}\`${suggestion(name, [...Object.values(SCMP_ARCH), ...FOREIGN_SCMP_ARCHES])}`,
      );
    }
  }
  return out;
}

function policyArches(ctx: Ctx, doc: Obj, opts: GenerateOptions): Arch[] {
  const main = opts.arches?.[0] ?? nativeArch();
  let arches: Arch[];
  const archMap = doc.archMap;
  const listed = ctx.strings(doc.architectures, 'architectures');
  if (archMap !== undefined && archMap !== null) {
    if (listed.length)
      ctx.fail('', "both 'architectures' and 'archMap' are set; use one (as Docker requires)");
    if (!Array.isArray(archMap)) return ctx.fail('archMap', 'expected an array');
    arches = [];
    archMap.forEach((entry, i) => {
      if (!isObj(entry) || typeof entry.architecture !== 'string')
        ctx.fail(`archMap[${i}]`, 'expected {architecture, subArchitectures}');
      const [first] = archesOf(ctx, [entry.architecture as string], `archMap[${i}]`);
      const subs = archesOf(
        ctx,
        ctx.strings(entry.subArchitectures, `archMap[${i}].subArchitectures`),
        `archMap[${i}]`,
      );
      if (first === main) arches = [first, ...subs.filter((a) => a !== first)];
    });
    if (!arches.length) arches = [main];
  } else if (listed.length) {
    arches = archesOf(ctx, listed, 'architectures');
    // libseccomp always includes the native ABI of the filter it builds.
    if (!arches.includes(main)) arches.unshift(main);
  } else {
    arches = [main];
  }
  if (opts.arches) {
    const wanted = opts.arches;
    arches = arches.filter((a) => wanted.includes(a));
    if (!arches.length)
      throw new ProfilerError(
        'BAD_INPUT',
        `${ctx.source}: none of the profile's architectures is in --arches ${wanted.join(',')}`,
      );
  }
  return arches;
}

function u64(ctx: Ctx, v: JsonValue | undefined, where: string): bigint {
  if (v === undefined || v === null) return 0n;
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') {
    const b = BigInt(v);
    if (b >= 0n && b <= U64_MAX) return b;
  }
  return ctx.fail(where, `expected an unsigned 64-bit integer, got ${String(v)}`);
}

function conditionsOf(ctx: Ctx, args: JsonValue | undefined, where: string): Condition[] {
  if (args === undefined || args === null) return [];
  if (!Array.isArray(args)) return ctx.fail(where, '`args` must be an array');
  return args.map((a, i) => {
    const w = `${where}.args[${i}]`;
    if (!isObj(a)) return ctx.fail(w, 'expected {index, value, valueTwo, op}');
    const index = a.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5)
      ctx.fail(w, `arg index ${String(index)} is out of range (a syscall has args 0..5)`);
    const opName = a.op;
    const op = typeof opName === 'string' ? opOfScmp(opName) : undefined;
    if (!op)
      ctx.fail(
        w,
        `unknown op \`${String(opName)}\`${typeof opName === 'string' ? suggestion(opName, Object.values(SCMP_CMP)) : ''}`,
      );
    const value = u64(ctx, a.value, `${w}.value`);
    const cond: Condition =
      op === 'MASKED_EQ'
        ? { arg: index as Condition['arg'], op, value, valueTwo: u64(ctx, a.valueTwo, `${w}.valueTwo`) }
        : { arg: index as Condition['arg'], op, value };
    return cond;
  });
}

/**
 * runc (libcontainer/seccomp matchCall): when one rule's args name the same index more than once,
 * each condition becomes its own rule (OR) instead of one rule with all of them (AND).
 */
export function splitRepeatedArgs(conds: readonly Condition[]): Condition[][] {
  const seen = new Set<number>();
  let repeated = false;
  for (const c of conds) {
    if (seen.has(c.arg)) repeated = true;
    seen.add(c.arg);
  }
  return repeated ? conds.map((c) => [c]) : [[...conds]];
}

/** Parses a Docker/Moby profile or an OCI linux.seccomp object (already JSON-parsed) into a Policy. */
export function policyFromSeccompJson(
  doc: JsonValue,
  source: string,
  opts: GenerateOptions,
  dialect: Dialect,
): ParsedProfile {
  const ctx: Ctx = new Ctx(source);
  if (!isObj(doc)) return ctx.fail('', 'expected a JSON object');
  const defaultAction = actionFromScmp(doc.defaultAction, doc.defaultErrnoRet, ctx, 'defaultAction');
  const arches = policyArches(ctx, doc, opts);
  const filter: Filter = {
    caps: (opts.caps ?? DOCKER_DEFAULT_CAPS).map(normalizeCap),
    kernel: targetKernel(opts),
    targetArches: opts.arches ?? [arches[0] ?? nativeArch()],
  };
  const rules: Record<string, Rule[]> = Object.fromEntries(arches.map((a) => [a, []]));
  const skipped = new SkippedNames();
  const syscalls = doc.syscalls ?? [];
  if (!Array.isArray(syscalls)) return ctx.fail('syscalls', 'expected an array');
  for (const [i, entry] of syscalls.entries()) {
    let where = `syscalls[${i}]`;
    if (!isObj(entry)) ctx.fail(where, 'expected an object');
    if (entry.name !== undefined && entry.names !== undefined)
      ctx.fail(where, '`name` and `names` are both set; use one');
    let names: string[];
    if (entry.name !== undefined) {
      if (dialect === 'oci') ctx.fail(where, 'OCI profiles use `names`, not `name`');
      const name = entry.name;
      if (typeof name !== 'string') ctx.fail(where, '`name` must be a string');
      names = [name];
    } else {
      names = ctx.strings(entry.names, `${where}.names`);
    }
    if (!names.length) ctx.fail(where, 'no syscall `names`');
    where = `${where} (${names.length === 1 ? names[0] : `${names[0]}…`})`;
    for (const name of names)
      if (!isKnownSyscall(name)) ctx.fail(where, `unknown syscall \`${name}\`${suggestion(name)}`);
    const action = actionFromScmp(entry.action, entry.errnoRet, ctx, where);
    const groups = splitRepeatedArgs(conditionsOf(ctx, entry.args, where));
    if (dialect === 'docker' && !applies(ctx, entry, where, filter)) continue;
    if (dialect === 'oci' && (entry.includes !== undefined || entry.excludes !== undefined))
      ctx.fail(where, 'OCI profiles have no includes/excludes');
    // runc skips rules whose action is the default: they change nothing in libseccomp.
    if (sameAction(action, defaultAction)) continue;
    for (const arch of arches) {
      for (const name of names) {
        const found = lookupSyscall(arch, name);
        if (found.kind !== 'syscall') {
          skipped.add(name, arch);
          continue;
        }
        for (const conditions of groups)
          rules[arch]!.push({ syscall: name, nr: found.nr, action, conditions });
      }
    }
  }
  const metaDoc = doc['x-seccomp-profiler'];
  let meta: ProfileMeta | undefined;
  if (isObj(metaDoc)) {
    const command =
      Array.isArray(metaDoc.command) && metaDoc.command.every((s) => typeof s === 'string')
        ? (metaDoc.command as string[])
        : undefined;
    const cwd = typeof metaDoc.cwd === 'string' ? metaDoc.cwd : undefined;
    meta = { ...(command ? { command } : {}), ...(cwd ? { cwd } : {}) };
  }
  const policy: Policy = { defaultAction, arches, rules };
  const notes = skipped.notes(arches);
  return meta ? { policy, meta, notes } : { policy, notes };
}
