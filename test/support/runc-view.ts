// A Docker profile as runc hands it to libseccomp (libcontainer/seccomp: one rule per name, in profile
// order, on every ABI of the filter), as a Policy for compileWithLibseccomp. Unlike our parser it keeps
// every name on every ABI: libseccomp itself decides what a name means there (a number, socketcall()/
// ipc() multiplexing on i386, or nothing), so the differential test compares our reading of the profile
// with runc's, not with our own IR run through libseccomp.
import { readFileSync } from 'node:fs';
import { type Arch, syscallNumber } from '../../src/arch/index.js';
import { Ctx, isObj } from '../../src/generator/input/json-shape.js';
import { applies } from '../../src/generator/input/moby-conditions.js';
import { actionFromScmp, splitRepeatedArgs } from '../../src/generator/input/seccomp-json.js';
import { DOCKER_DEFAULT_CAPS } from '../../src/generator/policy/capabilities.js';
import { parseKernelVersion } from '../../src/generator/policy/kernel-version.js';
import { opOfScmp } from '../../src/generator/policy/scmp-ops.js';
import type { Condition, Policy, Rule } from '../../src/generator/policy/types.js';
import { sameAction } from '../../src/generator/policy/types.js';
import { type JsonValue, parseJson } from '../../src/util/json.js';

/** Every rule runc would add for the profile at `path`, for `arches`, on a kernel `kernel` (X.Y). */
export function runcView(path: string, arches: readonly Arch[], kernel: string): Policy {
  const doc = parseJson(readFileSync(path, 'utf8'), path);
  const ctx = new Ctx(path);
  if (!isObj(doc)) throw new Error(`${path}: not a profile`);
  const defaultAction = actionFromScmp(doc.defaultAction, doc.defaultErrnoRet, ctx, 'defaultAction');
  const filter = {
    caps: DOCKER_DEFAULT_CAPS,
    kernel: parseKernelVersion(kernel),
    targetArches: [arches[0]!],
  };
  const rules: Partial<Record<Arch, Rule[]>> = Object.fromEntries(arches.map((a) => [a, []]));
  for (const entry of (doc.syscalls ?? []) as JsonValue[]) {
    if (!isObj(entry) || !applies(ctx, entry, 'entry', filter)) continue;
    const action = actionFromScmp(entry.action, entry.errnoRet, ctx, 'entry');
    if (sameAction(action, defaultAction)) continue;
    const names = entry.names ? (entry.names as string[]) : [entry.name as string];
    const conditions: Condition[] = ((entry.args ?? []) as JsonValue[]).map((a) => {
      const arg = a as { index: number; op: string; value: number | bigint; valueTwo?: number | bigint };
      const op = opOfScmp(arg.op)!;
      const c = { arg: arg.index as Condition['arg'], op, value: BigInt(arg.value) };
      return op === 'MASKED_EQ' ? { ...c, valueTwo: BigInt(arg.valueTwo ?? 0) } : c;
    });
    for (const syscall of names)
      for (const group of splitRepeatedArgs(conditions))
        for (const arch of arches)
          rules[arch]!.push({ syscall, nr: syscallNumber(arch, syscall) ?? -1, action, conditions: group });
  }
  return { defaultAction, arches, rules };
}
