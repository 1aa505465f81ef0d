// JSON output shared by enforce/check/diff/lint (bigints as hex strings).

/** `value` as one JSON line. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}\n`;
}

/** `value` as indented JSON. */
export function jsonPretty(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2)}\n`;
}
