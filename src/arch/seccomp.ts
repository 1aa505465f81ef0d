// Seccomp's kernel ABI, the one home of its facts: the filter's return values (<linux/seccomp.h>
// SECCOMP_RET_*), their precedence, and the spellings other tools use for them (libseccomp's
// SCMP_ACT_*, the names in our listings, our command-line kinds). Everything that converts between
// an action and a number or a name reads this table.

/** The action part and the data part of a filter's 32-bit return value. */
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

/** The action kinds, as the Policy IR and the command line spell them. */
export type ActionKind =
  | 'kill-process'
  | 'kill-thread'
  | 'trap'
  | 'errno'
  | 'notify'
  | 'trace'
  | 'log'
  | 'allow';

/** What one action is called everywhere, and what its 16 data bits mean. */
export interface ActionFact {
  readonly kind: ActionKind;
  /** SECCOMP_RET_* with zero data. */
  readonly value: number;
  /** The name after SECCOMP_RET_ (KILL_PROCESS, USER_NOTIF, …): listings, kernel docs. */
  readonly ret: string;
  /** libseccomp's macro and Docker/OCI JSON's action name. */
  readonly scmp: string;
  /** errno: the data is the errno; tag: trap/trace data handed to the handler or tracer. */
  readonly data: 'none' | 'errno' | 'tag';
}

/** Every action, most restrictive first: across stacked filters the kernel applies the first. */
export const SECCOMP_ACTIONS: readonly ActionFact[] = [
  {
    kind: 'kill-process',
    value: 0x80000000,
    ret: 'KILL_PROCESS',
    scmp: 'SCMP_ACT_KILL_PROCESS',
    data: 'none',
  },
  { kind: 'kill-thread', value: 0x00000000, ret: 'KILL_THREAD', scmp: 'SCMP_ACT_KILL_THREAD', data: 'none' },
  { kind: 'trap', value: 0x00030000, ret: 'TRAP', scmp: 'SCMP_ACT_TRAP', data: 'tag' },
  { kind: 'errno', value: 0x00050000, ret: 'ERRNO', scmp: 'SCMP_ACT_ERRNO', data: 'errno' },
  { kind: 'notify', value: 0x7fc00000, ret: 'USER_NOTIF', scmp: 'SCMP_ACT_NOTIFY', data: 'none' },
  { kind: 'trace', value: 0x7ff00000, ret: 'TRACE', scmp: 'SCMP_ACT_TRACE', data: 'tag' },
  { kind: 'log', value: 0x7ffc0000, ret: 'LOG', scmp: 'SCMP_ACT_LOG', data: 'none' },
  { kind: 'allow', value: 0x7fff0000, ret: 'ALLOW', scmp: 'SCMP_ACT_ALLOW', data: 'none' },
];

const BY_KIND = new Map(SECCOMP_ACTIONS.map((a) => [a.kind, a]));
const BY_VALUE = new Map(SECCOMP_ACTIONS.map((a) => [a.value >>> 0, a]));
/** runc and libseccomp read the old SCMP_ACT_KILL as kill-thread. */
const BY_SCMP = new Map<string, ActionFact>([
  ...SECCOMP_ACTIONS.map((a) => [a.scmp, a] as const),
  ['SCMP_ACT_KILL', BY_KIND.get('kill-thread')!],
]);

/** SECCOMP_RET_<ret> with zero data, by the name after SECCOMP_RET_ (e.g. SECCOMP_RET.TRACE). */
export const SECCOMP_RET: Readonly<Record<string, number>> = Object.fromEntries(
  SECCOMP_ACTIONS.map((a) => [a.ret, a.value]),
);

/** The facts of an action kind. */
export function actionFact(kind: ActionKind): ActionFact {
  return BY_KIND.get(kind)!;
}

/** The 32-bit return value of `kind` with `data` in the low 16 bits. */
export function returnValue(kind: ActionKind, data = 0): number {
  return (actionFact(kind).value | (data & SECCOMP_RET_DATA)) >>> 0;
}

/** The action a return value stands for, and its data; undefined for values seccomp does not define. */
export function decodeReturn(
  value: number,
): { readonly fact: ActionFact; readonly data: number } | undefined {
  const fact = BY_VALUE.get((value & SECCOMP_RET_ACTION_FULL) >>> 0);
  return fact && { fact, data: value & SECCOMP_RET_DATA };
}

/** The action named by a SCMP_ACT_* spelling (SCMP_ACT_KILL is kill-thread, as in runc). */
export function actionOfScmp(name: string): ActionFact | undefined {
  return BY_SCMP.get(name);
}

/** Every SCMP_ACT_* spelling a profile may use. */
export const SCMP_ACTION_NAMES: readonly string[] = [...BY_SCMP.keys()];

/**
 * Orders return values as the kernel does across stacked filters: the action part as a signed
 * 32-bit integer (KILL_PROCESS is negative). Higher is more permissive; the lowest one wins.
 */
export function permissiveness(value: number): number {
  return value & SECCOMP_RET_ACTION_FULL;
}
