// Inputs at the edges: a deeply nested JSON file, a byte order mark, UTF-16, a broken BPF file.
// Recordings and profiles are read by different code (zod after JSON.parse; our JSON reader), so
// each case runs through both, and through the CLI: exit 65 with one line naming the file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXIT, ProfilerError } from '../../../src/errors.js';
import { loadInput } from '../../../src/generator/input/load.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import { readRecording } from '../../../src/recording/io.js';
import { MOBY_DEFAULT } from '../../support/fixtures.js';
import { makeRecording } from '../policy/fixtures.js';

const CLI = fileURLToPath(new URL('../../../dist/bin/profile.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'profile-edge-inputs-'));
const write = (name: string, data: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};
const recordingText = JSON.stringify(makeRecording({ syscalls: { x86_64: ['read', 'exit_group'] } }));
const profileText = readFileSync(MOBY_DEFAULT, 'utf8');

/** 10 KB of nesting: inside a recording, inside a profile, and bare. */
const DEEP = {
  bare: `${'['.repeat(5000)}${']'.repeat(5000)}`,
  recording: `{"format":"seccomp-profiler.recording","version":1,"runs":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  profile: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":${'[{"names":'.repeat(1000)}[]${'}]'.repeat(1000)}}`,
};

async function cli(args: string[]) {
  const r = await execa('node', [CLI, ...args], { reject: false, cwd: dir });
  return { code: r.exitCode, stderr: r.stderr };
}

function oneLine(stderr: string, path: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(stderr).not.toMatch(/internal error|\n\s+at |RangeError/);
}

describe('deeply nested JSON', () => {
  it.each(Object.entries(DEEP))('%s: exit 65 with one line, from every reader', async (name, text) => {
    const path = write(`deep-${name}.json`, text);
    expect(text.length).toBeGreaterThanOrEqual(10_000);
    for (const read of [() => loadInput(path, DEFAULT_GENERATE_OPTIONS), () => readRecording(path)]) {
      expect(read).toThrow(ProfilerError);
      expect(read).toThrow(/nested deeper than 100 levels/);
    }
    for (const args of [
      ['generate', path],
      ['show', path],
      ['lint', path],
      ['diff', path, MOBY_DEFAULT],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(EXIT.badInput);
      oneLine(r.stderr, path);
    }
  });
});

describe('byte order marks', () => {
  const BOM = '\ufeff';

  it('a UTF-8 BOM is accepted the same way in recordings and profiles', async () => {
    const rec = write('bom-rec.json', BOM + recordingText);
    const prof = write('bom-prof.json', BOM + profileText);
    expect(readRecording(rec).runs).toHaveLength(1);
    expect(loadInput(rec, DEFAULT_GENERATE_OPTIONS).kind).toBe('recording');
    expect(loadInput(prof, DEFAULT_GENERATE_OPTIONS).kind).toBe('docker');
    for (const args of [
      ['show', rec],
      ['generate', rec],
      ['generate', prof],
      ['lint', prof],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('UTF-16 is refused with one line, for recordings and profiles alike', async () => {
    for (const [name, text] of [
      ['u16-rec.json', recordingText],
      ['u16-prof.json', profileText],
    ] as const) {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const path = write(name, bytes);
      for (const read of [() => loadInput(path, DEFAULT_GENERATE_OPTIONS), () => readRecording(path)])
        expect(read).toThrow(/UTF-16 text \(byte order mark\); JSON files must be UTF-8/);
      const r = await cli(['generate', path]);
      expect(r.code).toBe(EXIT.badInput);
      oneLine(r.stderr, path);
    }
  });
});

describe('BPF files', () => {
  it('errors name the file', async () => {
    // Binary (not text), a multiple of 8 bytes, with an opcode no BPF machine has.
    const path = write(
      'bad.bpf',
      Buffer.from([0x3b, 0x0e, 0, 0, 0, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]),
    );
    expect(() => loadInput(path, DEFAULT_GENERATE_OPTIONS)).toThrow(`${path}: invalid BPF program`);
    for (const args of [
      ['generate', path],
      ['lint', path],
      ['diff', path, path],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(EXIT.badInput);
      oneLine(r.stderr, path);
      expect(r.stderr).toContain(`${path}: invalid BPF program`);
    }
  });
});
