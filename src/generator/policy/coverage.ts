// Does a filter allow everything a recording saw? Every recorded (ABI, number), with the argument
// values the recording kept, is put to a decision function (a Policy's evaluatePolicy, or a compiled
// program run in the interpreter). What `--fix` and `--update` write is checked this way, and the
// tests check every output format with it.
import { type Arch, AUDIT_ARCH } from '../../arch/index.js';
import { ARG_SPECS } from '../../recording/arg-specs.js';
import type { Recording } from '../../recording/schema.js';
import type { SyscallInput } from './evaluate.js';
import { recordedSyscalls } from './from-recordings.js';
import { type Action, isPermissive } from './types.js';

/** One recorded syscall: its ABI, number and name, and argument vectors built from its recorded values. */
export interface RecordedCall {
  readonly arch: Arch;
  readonly nr: number;
  readonly syscall: string;
  /** One vector per recorded value tuple (unrecorded arguments zero), or one vector of zeros. */
  readonly args: readonly (readonly bigint[])[];
}

/** Every syscall `recs` saw, by ABI and number, with argument vectors from the recorded values. */
export function recordedCalls(recs: readonly Recording[]): RecordedCall[] {
  const out: RecordedCall[] = [];
  const arches = new Set<Arch>();
  for (const rec of recs) for (const arch of Object.keys(rec.syscalls) as Arch[]) arches.add(arch);
  for (const arch of arches) {
    for (const [nr, syscall] of recordedSyscalls(recs, arch)) {
      const vectors: bigint[][] = [];
      for (const rec of recs) {
        for (const [name, entry] of Object.entries(rec.args[arch] ?? {})) {
          if (name !== syscall || !rec.syscalls[arch]?.[name]) continue;
          for (const tuple of entry.values) {
            const args = [0n, 0n, 0n, 0n, 0n, 0n];
            for (const spec of ARG_SPECS[name] ?? []) {
              const v = tuple[spec.name];
              if (v !== undefined) args[spec.index] = BigInt(v);
            }
            vectors.push(args);
          }
        }
      }
      out.push({ arch, nr, syscall, args: vectors.length ? vectors : [[0n, 0n, 0n, 0n, 0n, 0n]] });
    }
  }
  return out;
}

/**
 * The recorded calls `decide` does not let run, as `arch name (nr)` (each once). `decide` gets what
 * seccomp would see; log and allow let a call run.
 */
export function refusedCalls(recs: readonly Recording[], decide: (input: SyscallInput) => Action): string[] {
  const refused: string[] = [];
  for (const call of recordedCalls(recs)) {
    const blocked = call.args.some(
      (args) => !isPermissive(decide({ auditArch: AUDIT_ARCH[call.arch], nr: call.nr, args })),
    );
    if (blocked) refused.push(`${call.arch} ${call.syscall} (${call.nr})`);
  }
  return refused;
}
