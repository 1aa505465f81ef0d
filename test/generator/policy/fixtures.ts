// Recordings built in tests: valid per src/recording/schema.ts, with chosen syscalls and argument values.
import { type Arch, syscallNumber } from '../../../src/arch/index.js';
import { type ArgValues, type Recording, recordingSchemas } from '../../../src/recording/schema.js';

export interface FakeRecording {
  syscalls: Partial<Record<Arch, readonly string[]>>;
  args?: Partial<Record<Arch, Record<string, ArgValues>>>;
  command?: string[];
}

/** A schema-valid recording holding exactly `spec`'s syscalls (count 1 each). */
export function makeRecording(spec: FakeRecording): Recording {
  const syscalls: Recording['syscalls'] = {};
  for (const [arch, names] of Object.entries(spec.syscalls) as [Arch, string[]][]) {
    syscalls[arch] = Object.fromEntries(
      names.map((n) => {
        const nr = syscallNumber(arch, n);
        if (nr === undefined) throw new Error(`no ${n} on ${arch}`);
        return [n, { nr, count: 1 }];
      }),
    );
  }
  const rec = {
    format: 'seccomp-profiler.recording',
    version: 1,
    tool: { name: 'seccomp-profiler', version: '0.1.0' },
    partial: false,
    runs: [
      {
        command: spec.command ?? ['/usr/bin/true'],
        cwd: '/work',
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:01.000Z',
        kernel: '6.18.0',
        machine: 'x86_64',
        toolVersion: '0.1.0',
        partial: false,
        exit: { status: 'exited', code: 0 },
        processes: 1,
        threads: 1,
      },
    ],
    syscalls,
    executables: {},
    execs: [],
    args: spec.args ?? {},
  };
  return recordingSchemas().recordingSchema.parse(rec);
}

/** Argument values as a recording stores them. */
export function values(rows: Record<string, number>[], truncated = false): ArgValues {
  return { values: rows.map((r) => ({ ...r, count: 1 })), truncated };
}
