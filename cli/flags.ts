// Parsers for generate's command-line spellings: each turns one flag's text into a typed option, or
// throws a USAGE error shaped like "Expected `--flag` to be one of …, got `…`".
import { errnoNames, errnoNumber } from '../src/arch/errno.js';
import { ARCHES, type Arch, isArch, parseLibseccompVersion } from '../src/arch/index.js';
import { ProfilerError } from '../src/errors.js';
import { ALL_CAPS, normalizeCap } from '../src/generator/policy/capabilities.js';
import type { LibseccompTarget } from '../src/generator/policy/consumer-check.js';
import { isKnownSyscall, suggestion } from '../src/generator/policy/names.js';
import type { ArgsMode, Runtime } from '../src/generator/policy/options.js';
import type { Action } from '../src/generator/policy/types.js';

const ACTION_SPELLINGS = ['kill-process', 'kill-thread', 'trap', 'errno[:N]', 'log', 'trace'];

function expected(flag: string, choices: readonly string[], got: string): ProfilerError {
  return new ProfilerError(
    'USAGE',
    `Expected \`${flag}\` to be one of ${choices.join(', ')}, got \`${got}\``,
  );
}

/** An errno given as a name (`ENOSYS`) or a number (`38`), from os.constants.errno. */
export function parseErrno(text: string, flag = '--errno'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n > 0 && n <= 4095) return n;
    throw new ProfilerError('USAGE', `Expected \`${flag}\` errno to be 1..4095, got \`${text}\``);
  }
  const n = errnoNumber(t.toUpperCase());
  if (n !== undefined) return n;
  throw new ProfilerError(
    'USAGE',
    `Expected \`${flag}\` errno to be a name like EPERM or a number, got \`${text}\`${suggestion(t.toUpperCase(), errnoNames())}`,
  );
}

/** `kill-process|kill-thread|trap|errno[:N]|log|trace` → Action (errno defaults to EPERM). */
export function parseDefaultAction(text: string, flag = '--default-action'): Action {
  const t = text.trim().toLowerCase();
  switch (t) {
    case 'kill-process':
    case 'kill':
      return { kind: 'kill-process' };
    case 'kill-thread':
      return { kind: 'kill-thread' };
    case 'trap':
      return { kind: 'trap' };
    case 'log':
      return { kind: 'log' };
    case 'trace':
      return { kind: 'trace' };
    case 'errno':
      return { kind: 'errno', errno: errnoNumber('EPERM')! };
  }
  if (t.startsWith('errno:')) return { kind: 'errno', errno: parseErrno(text.trim().slice(6), flag) };
  throw expected(flag, ACTION_SPELLINGS, text);
}

/** One `--errno NAME=ERRNO` value, checked against every syscall table. */
export function parseErrnoOverride(text: string): [string, number] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ProfilerError('USAGE', `Expected \`--errno\` as SYSCALL=ERRNO, got \`${text}\``);
  const name = text.slice(0, eq).trim();
  if (!isKnownSyscall(name))
    throw new ProfilerError('USAGE', `\`--errno\`: unknown syscall \`${name}\`${suggestion(name)}`);
  return [name, parseErrno(text.slice(eq + 1))];
}

/** Several `--errno` values as a map (later ones win). */
export function parseErrnoOverrides(values: readonly string[]): ReadonlyMap<string, number> {
  return new Map(values.map(parseErrnoOverride));
}

export function parseArgsMode(text: string): ArgsMode {
  if (text === 'none' || text === 'safe' || text === 'strict') return text;
  throw expected('--args', ['none', 'safe', 'strict'], text);
}

export function parseRuntime(text: string): Runtime {
  if (text === 'runc' || text === 'crun' || text === 'any' || text === 'auto' || text === 'none') return text;
  throw expected('--runtime', ['auto', 'any', 'runc', 'crun', 'none'], text);
}

/** Comma-separated ABI names; `native`/`reachable` are not accepted here, be explicit. */
export function parseArches(text: string): Arch[] {
  const out: Arch[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isArch(part)) throw expected('--arches', ARCHES, part);
    if (!out.includes(part)) out.push(part);
  }
  if (!out.length) throw new ProfilerError('USAGE', 'Expected `--arches` to name at least one ABI');
  return out;
}

/** Comma-separated capabilities (`CAP_` optional, any case); `all`, or `none`/empty for no caps. */
export function parseCaps(text: string): string[] {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  if (t.toLowerCase() === 'all') return [...ALL_CAPS];
  const out: string[] = [];
  for (const part of t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const cap = normalizeCap(part);
    if (!ALL_CAPS.includes(cap))
      throw new ProfilerError(
        'USAGE',
        `\`--caps\`: unknown capability \`${part}\`${suggestion(cap, ALL_CAPS)}`,
      );
    if (!out.includes(cap)) out.push(cap);
  }
  return out;
}

/** A number of seconds ≥ 0 (fractions allowed), e.g. for `--grace`. */
export function parseSeconds(text: string, flag: string): number {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) {
    throw new ProfilerError('USAGE', `Expected \`${flag}\` to be a number of seconds ≥ 0, got \`${text}\``);
  }
  return n;
}

/** `--libseccomp`: a version (X.Y or X.Y.Z), `auto` (detect runc, crun, the system library) or `none`. */
export function parseLibseccompTarget(text: string): LibseccompTarget {
  const t = text.trim().toLowerCase();
  if (t === 'auto' || t === 'none') return t;
  const version = parseLibseccompVersion(t.replace(/^v/, ''));
  if (version) return version;
  throw expected('--libseccomp', ['a version like 2.5.4', 'auto', 'none'], text);
}
