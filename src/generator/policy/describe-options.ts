// Generate options as text: the provenance a generated file carries, and an action's spelling.
import { errnoText } from '../../arch/errno.js';
import type { GenerateOptions } from './options.js';
import type { Action } from './types.js';

/** The command-line spelling of an action (inverse of parseDefaultAction where it can be). */
export function formatAction(action: Action): string {
  switch (action.kind) {
    case 'errno':
      return `errno:${errnoText(action.errno)}`;
    case 'trap':
    case 'trace':
      return action.data ? `${action.kind}:${action.data}` : action.kind;
    default:
      return action.kind;
  }
}

/** Options as strings, for provenance metadata (only what differs from nothing). */
export function describeOptions(opts: GenerateOptions): Record<string, string> {
  const out: Record<string, string> = {
    defaultAction: formatAction(opts.defaultAction),
    baseline: String(opts.baseline),
    args: opts.args,
    // 'auto' left unresolved (no output format decided it) adds nothing: that is 'none'.
    runtime: opts.runtime === 'auto' ? 'none' : opts.runtime,
  };
  out.enosysNewer = String(opts.enosysNewer);
  if (out.runtime !== 'none' && opts.noNewPrivileges !== undefined)
    out.noNewPrivileges = String(opts.noNewPrivileges);
  if (opts.executables?.include.length) out.exe = opts.executables.include.join(',');
  if (opts.executables?.exclude.length) out.excludeExe = opts.executables.exclude.join(',');
  if (opts.errnoOverrides.size)
    out.errno = [...opts.errnoOverrides].map(([n, e]) => `${n}=${errnoText(e)}`).join(',');
  if (opts.arches) out.arches = opts.arches.join(',');
  if (opts.caps) out.caps = opts.caps.join(',');
  if (opts.kernel) out.kernel = opts.kernel;
  return out;
}
