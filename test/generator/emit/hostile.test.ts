// Every output format copies provenance from the recording (cwd, argv, source file names). With
// hostile text there, each format must still say exactly what it says for a benign recording:
// no new systemd directive, no YAML key, no end of a C comment, and JSON/YAML that read back
// to the very same strings.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { emitPolicy } from '../../../src/generator/emit/index.js';
import { loadPolicy } from '../../../src/generator/input/load.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { parseJson } from '../../../src/util/json.js';
import { needs } from '../../support/host.js';
import {
  HOSTILE_ARGV,
  HOSTILE_CWD,
  HOSTILE_FILE_NAME,
  writeHostileRecording,
} from '../../support/hostile.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-hostile-'));
const source = writeHostileRecording(dir);
const hostile: Policy = loadPolicy([source], DEFAULT_GENERATE_OPTIONS);
const benign: Policy = {
  ...hostile,
  provenance: { ...hostile.provenance!, sources: ['rec.json'], command: ['/bin/true'], cwd: '/work' },
};
const emit = (p: Policy, format: Parameters<typeof emitPolicy>[1]) => emitPolicy(p, format) as string;

/** Directives as systemd reads a unit file: lines end at \n, \r or NUL; `#`/`;` lines are comments. */
function systemdDirectives(text: string): string[] {
  const out: string[] = [];
  let section = '';
  let pending = '';
  for (const raw of text.split(/\r\n|\r|\n|\0/)) {
    // A line ending in an odd number of backslashes continues on the next one (systemd < 240 also did
    // this for comments, so we do).
    const trailing = /\\+$/.exec(raw)?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      pending += `${raw.slice(0, -1)} `;
      continue;
    }
    const line = (pending + raw).trim();
    pending = '';
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) section = line;
    else out.push(`${section} ${line.slice(0, line.indexOf('=') + 1)}`);
  }
  return out;
}

function provenanceOf(json: unknown): { command: string[]; cwd: string; sources: string[] } {
  return (json as { 'x-seccomp-profiler': { command: string[]; cwd: string; sources: string[] } })[
    'x-seccomp-profiler'
  ];
}

describe('output formats with hostile provenance', () => {
  it('systemd: the drop-in has exactly the directives of a benign one, by parsing', () => {
    const text = emit(hostile, 'systemd');
    expect(systemdDirectives(text)).toEqual(systemdDirectives(emit(benign, 'systemd')));
    expect(systemdDirectives(text).every((d) => d.startsWith('[Service] SystemCall'))).toBe(true);
    // Every line is a comment, blank, the section or a SystemCall* directive; no line over 1000 bytes.
    for (const line of text.split('\n')) {
      expect(line).toMatch(/^(#.*|\[Service\]|SystemCall[A-Za-z]+=.*|)$/);
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1100);
    }
    // Nothing that ends a line for systemd, YAML 1.1 or a terminal is left raw.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain('# Cwd: x\\n[Service]\\nExecStartPre=/nonexistent/pwned-cwd\\r\\n');
  });

  it('systemd: the parser above catches an injected directive (the check can fail)', () => {
    const raw = `# Cwd: ${HOSTILE_CWD}\n[Service]\nSystemCallFilter=read\n`;
    expect(systemdDirectives(raw)).toContain('[Service] ExecStartPre=');
  });

  describe('systemd-analyze verify', needs('systemd-analyze'), () => {
    async function verify(dropIn: string) {
      const unit = join(mkdtempSync(join(tmpdir(), 'profile-hostile-unit-')), 'hostile.service');
      writeFileSync(unit, `[Unit]\nDescription=hostile\n${dropIn}ExecStart=/bin/true\n`);
      return execa('systemd-analyze', ['verify', unit], { reject: false });
    }

    it('accepts the drop-in and sees none of the injected directives', async () => {
      const r = await verify(emit(hostile, 'systemd'));
      expect(r.stderr).not.toMatch(/pwned|Bogus|Unknown|Invalid|not executable|Missing/i);
      expect(r.exitCode).toBe(0);
    });

    it('reports the injection when the cwd is copied raw (the check can fail)', async () => {
      const r = await verify(`# Cwd: ${HOSTILE_CWD}\n[Service]\n`);
      expect(r.stderr).toMatch(/pwned-cwd/);
    });
  });

  it('docker and oci: the JSON reads back to the same strings (JSON.parse and our reader)', () => {
    for (const format of ['docker', 'oci'] as const) {
      const text = emit(hostile, format);
      for (const parsed of [JSON.parse(text), parseJson(text, format)]) {
        const p = provenanceOf(parsed);
        expect(p.command).toEqual(HOSTILE_ARGV);
        expect(p.cwd).toBe(HOSTILE_CWD);
        expect(p.sources).toEqual([source]);
      }
      expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(JSON.parse(emit(benign, format))));
    }
  });

  it('k8s: the YAML parses back to the same strings, with the same keys as a benign one', () => {
    const text = emit(hostile, 'k8s');
    const doc = parseYaml(text);
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(doc).toEqual({
      ...parseYaml(emit(benign, 'k8s')),
      metadata: expect.anything(),
    });
    const annotations = doc.metadata.annotations;
    expect(Object.keys(annotations)).toEqual(['seccomp-profiler/provenance']);
    const prov = JSON.parse(annotations['seccomp-profiler/provenance']);
    expect(prov.command).toEqual(HOSTILE_ARGV);
    expect(prov.cwd).toBe(HOSTILE_CWD);
    expect(prov.sources).toEqual([source]);
    expect(doc.metadata.name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });

  it('k8s: a YAML 1.1 reader (PyYAML, as go-yaml) reads the same strings', needs('pyyaml'), async () => {
    const file = join(dir, 'profile.yaml');
    writeFileSync(file, emit(hostile, 'k8s'));
    const script =
      'import json,sys,yaml\nd=yaml.safe_load(open(sys.argv[1],encoding="utf-8"))\n' +
      'print(json.dumps({"keys":sorted(d),"meta":sorted(d["metadata"]),' +
      '"prov":d["metadata"]["annotations"]["seccomp-profiler/provenance"]}))';
    const r = await execa('python3', ['-c', script, file]);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(out.meta).toEqual(['annotations', 'name']);
    const prov = JSON.parse(out.prov);
    expect(prov.command).toEqual(HOSTILE_ARGV);
    expect(prov.cwd).toBe(HOSTILE_CWD);
  });

  it.each(['libseccomp', 'bpf-c'] as const)('%s: the header comment ends where it should', (format) => {
    const text = emit(hostile, format);
    const end = text.indexOf('*/');
    expect(text.slice(0, 2)).toBe('/*');
    // The first `*/` closes the header comment, right before the code; no `/*` inside it either.
    expect(text.slice(end, end + 40)).toMatch(/^\*\/\n#(define _GNU_SOURCE|ifndef SECCOMP_PROFILE_H)/);
    expect(text.slice(2, end)).not.toContain('/*');
    const comment = text.slice(0, end);
    expect(
      comment
        .split('\n')
        .slice(1, -1)
        .every((l) => l === ' *' || l.startsWith(' * ')),
    ).toBe(true);
    expect(comment).toContain('x*\\x2f this is not C; \\x2f*');
  });

  it('bpf-c: gcc compiles the header with -Wall -Werror', needs('gcc'), async () => {
    const file = join(dir, 'hostile.h');
    writeFileSync(file, emit(hostile, 'bpf-c'));
    const r = await execa('gcc', ['-fsyntax-only', '-Wall', '-Werror', '-x', 'c', file], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('libseccomp: gcc compiles the file with -Wall -Werror', needs('gcc', 'libseccomp'), async () => {
    const file = join(dir, 'hostile.c');
    writeFileSync(file, emit(hostile, 'libseccomp'));
    const r = await execa('gcc', ['-fsyntax-only', '-Wall', '-Werror', '-DMAIN', file], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('disasm: every line before the listing is a `;` comment', () => {
    const text = emit(hostile, 'disasm');
    const lines = text.split('\n');
    const header = lines.slice(
      0,
      lines.findIndex((l) => l.startsWith(' line ')),
    );
    expect(header.length).toBeGreaterThan(4);
    for (const line of header) expect(line).toMatch(/^; /);
    expect(header.join('\n')).toContain(JSON.stringify(HOSTILE_FILE_NAME).slice(1, 8));
  });
});
