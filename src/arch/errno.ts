// The errno table, built once from Node's own (os.constants.errno, the platform's <errno.h>), so no
// errno number or name is ever copied by hand.
import { constants } from 'node:os';

const BY_NAME: Readonly<Record<string, number>> = constants.errno;
const BY_NUMBER = new Map<number, string>();
for (const [name, value] of Object.entries(BY_NAME)) if (!BY_NUMBER.has(value)) BY_NUMBER.set(value, name);

/** The number of an errno name (`ENOSYS` → 38), or undefined. */
export function errnoNumber(name: string): number | undefined {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined;
}

/** The name of an errno number (38 → `ENOSYS`), or undefined when it has none. */
export function errnoName(n: number): string | undefined {
  return BY_NUMBER.get(n);
}

/** The name when there is one, else the number as text: for messages and generated files. */
export function errnoText(n: number): string {
  return errnoName(n) ?? String(n);
}

/** Every errno name. */
export function errnoNames(): readonly string[] {
  return Object.keys(BY_NAME);
}
