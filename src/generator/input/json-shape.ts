// Shape checks for profile JSON: each failure is one line naming the file and the JSON path.
import { ProfilerError } from '../../errors.js';
import type { JsonValue } from '../../util/json.js';

export type Obj = { readonly [key: string]: JsonValue };

export function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v !== 'bigint';
}

/** The file being read: fail() and typed reads say where in it a problem is. */
export class Ctx {
  constructor(readonly source: string) {}
  fail(where: string, message: string): never {
    throw new ProfilerError('BAD_INPUT', `${this.source}: ${where ? `${where}: ` : ''}${message}`);
  }
  strings(v: JsonValue | undefined, where: string): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      this.fail(where, 'expected an array of strings');
    return v as string[];
  }
}
