// runs[].backend and runs[].notes: optional, so recordings made before the eBPF backend still read.
import { describe, expect, it } from 'vitest';
import { buildRecording } from '../../src/recording/builder.js';
import { parseRecording } from '../../src/recording/io.js';
import { mergeRecordings } from '../../src/recording/merge.js';
import type { RawTrace } from '../../src/recording/trace.js';

const raw: RawTrace = {
  counts: [['/bin/a', 'x86_64', 0, 1]],
  args: [],
  argsTruncated: [],
  execs: [['/bin/a', 1]],
  processes: 1,
  threads: 1,
  pinned: false,
};

function build(extra: { backend?: 'ptrace' | 'ebpf'; notes?: string[] }) {
  return buildRecording(
    {
      command: ['a'],
      cwd: '/',
      startedAt: new Date(0),
      endedAt: new Date(1),
      outcome: { status: 'exited', code: 0 },
      ...extra,
    },
    raw,
  );
}

describe('run provenance', () => {
  it('a recording without backend or notes (as written before the eBPF backend) still parses', () => {
    const old = build({});
    expect(old.runs[0]).not.toHaveProperty('backend');
    expect(old.runs[0]).not.toHaveProperty('notes');
    expect(parseRecording(JSON.stringify(old), 'old.json')).toEqual(old);
  });

  it('backend and notes round-trip; empty notes are not written', () => {
    const rec = build({ backend: 'ebpf', notes: ['i386 calls cannot be told apart'] });
    expect(rec.runs[0]).toMatchObject({ backend: 'ebpf', notes: ['i386 calls cannot be told apart'] });
    expect(parseRecording(JSON.stringify(rec), 'x.json')).toEqual(rec);
    expect(build({ backend: 'ptrace', notes: [] }).runs[0]).not.toHaveProperty('notes');
  });

  it('merging keeps each run with its own backend', () => {
    const merged = mergeRecordings([build({ backend: 'ptrace' }), build({ backend: 'ebpf' })]);
    expect(merged.runs.map((r) => r.backend)).toEqual(['ptrace', 'ebpf']);
  });

  it('an unknown backend is a corrupt recording', () => {
    const bad = JSON.parse(JSON.stringify(build({ backend: 'ebpf' })));
    bad.runs[0].backend = 'dtrace';
    expect(() => parseRecording(JSON.stringify(bad), 'bad.json')).toThrow(/corrupt recording/);
  });
});
