// Hostile text as a recording can carry it: a cwd that tries to add systemd directives, argv with
// C comment delimiters, terminal escapes, line separators and non-UTF-8 bytes (lone surrogates
// U+DC80–U+DCFF, as they come back from JSON), and file names with line breaks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Recording } from '../../src/recording/schema.js';
import { makeRecording, values } from '../generator/policy/fixtures.js';

/** A cwd that, copied raw into a unit file, starts a [Service] section running a command. */
export const HOSTILE_CWD =
  'x\n[Service]\nExecStartPre=/nonexistent/pwned-cwd\r\nExecStartPost=/nonexistent/pwned-cr\u0000Bogus=1\u2028' +
  'y\u0085[Unit]\\';

/** argv with every kind of trouble; `*\/ … /*` is not C, so a comment it escaped would not compile. */
export const HOSTILE_ARGV: readonly string[] = [
  '/usr/bin/x*/ this is not C; /*',
  'arg\nExecStartPre=/nonexistent/pwned-argv',
  '\u001b]0;title\u0007\u001b[2J',
  'bytes \udc80\udcff and \ufffd',
  "it's \u202eevil",
  '#not a comment',
  'key: value',
  '- item',
  'tab\there',
  'back\\slash\\',
];

/** A schema-valid recording with hostile provenance (and a few syscalls with argument values). */
export function hostileRecording(): Recording {
  const rec = makeRecording({
    command: [...HOSTILE_ARGV],
    syscalls: { x86_64: ['read', 'write', 'socket', 'ioctl', 'fcntl', 'exit_group'] },
    args: {
      x86_64: {
        socket: values([{ domain: 2, type: 0x80001 }]),
        ioctl: values([{ request: 0x5401 }]),
        fcntl: values([{ cmd: 0x406 }]),
      },
    },
  });
  const run = rec.runs[0]!;
  return {
    ...rec,
    runs: [{ ...run, cwd: HOSTILE_CWD }],
    executables: {
      [HOSTILE_ARGV[0]!]: { x86_64: { read: 1, write: 1 } },
      '/bin/\u001b[31mred': { x86_64: { write: 1 } },
    },
    execs: [{ path: 'exe\nwith newline', count: 1 }],
  };
}

/** A file name with a line break and a directive in it. */
export const HOSTILE_FILE_NAME = 'rec\n[Service]\nExecStartPre=\u001b[0m pwned-src* \udcff.json';

/** Writes the hostile recording into `dir` under the hostile file name; returns its path. */
export function writeHostileRecording(dir: string): string {
  const path = join(dir, HOSTILE_FILE_NAME);
  writeFileSync(path, `${JSON.stringify(hostileRecording(), null, 2)}\n`);
  return path;
}
