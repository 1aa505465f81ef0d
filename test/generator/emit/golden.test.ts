import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitPolicy, FORMATS } from '../../../src/generator/emit/index.js';
import { compilePolicy } from '../../../src/generator/seccomp/compile.js';
import { normalize, samplePolicy } from './support.js';

describe('emitters: golden files', () => {
  const policy = samplePolicy();
  it.each(['docker', 'oci', 'k8s', 'libseccomp', 'systemd'] as const)('%s', async (format) => {
    const out = emitPolicy(policy, format);
    expect(typeof out).toBe('string');
    const ext = { docker: 'json', oci: 'json', k8s: 'yaml', libseccomp: 'c', systemd: 'conf' }[format];
    await expect(normalize(out as string)).toMatchFileSnapshot(`__golden__/sample.${format}.${ext}`);
  });

  it('bpf is the compiled program as 8-byte little-endian sock_filter entries', () => {
    const bytes = emitPolicy(policy, 'bpf') as Uint8Array;
    const program = compilePolicy(policy);
    expect(bytes.length).toBe(program.length * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    program.forEach((insn, i) => {
      expect([
        view.getUint16(i * 8, true),
        view.getUint8(i * 8 + 2),
        view.getUint8(i * 8 + 3),
        view.getUint32(i * 8 + 4, true),
      ]).toEqual([insn.code, insn.jt, insn.jf, insn.k >>> 0]);
    });
  });

  it('bpf-c and disasm carry the same program and the provenance', () => {
    const n = compilePolicy(policy).length;
    const header = emitPolicy(policy, 'bpf-c') as string;
    expect(header).toContain(`static const struct sock_filter profile_filter[${n}] = {`);
    expect(header.match(/^ {2}\{0x[0-9a-f]{4}, \d+, \d+, 0x[0-9a-f]{8}\},$/gm)).toHaveLength(n);
    expect(header).toContain('Command: ["/usr/bin/python3","-c","print(1)"]');
    const listing = emitPolicy(policy, 'disasm') as string;
    expect(listing).toContain(`; ${n} instructions`);
    expect(listing).toContain('; Sources: /tmp/work/python.recording.json');
  });

  it('every text format says where it came from', () => {
    for (const format of FORMATS) {
      if (format === 'bpf') continue;
      expect(emitPolicy(policy, format) as string).toContain('python.recording.json');
    }
  });

  it('k8s is a SeccompProfile whose spec matches the docker JSON', () => {
    const k8s = parse(emitPolicy(policy, 'k8s') as string);
    const docker = JSON.parse(emitPolicy(policy, 'docker') as string);
    expect(k8s.apiVersion).toBe('security-profiles-operator.x-k8s.io/v1beta1');
    expect(k8s.kind).toBe('SeccompProfile');
    expect(k8s.metadata.name).toBe('python3');
    expect(k8s.spec.defaultAction).toBe(docker.defaultAction);
    expect(k8s.spec.architectures).toEqual(docker.architectures);
    expect(k8s.spec.syscalls.map((s: { names: string[] }) => s.names)).toEqual(
      docker.syscalls.map((s: { names: string[] }) => s.names),
    );
  });

  it('systemd says what it cannot express', () => {
    const text = emitPolicy(policy, 'systemd') as string;
    expect(text).toMatch(/allowed with ANY arguments here/);
    expect(text).toMatch(/clone3=errno:ENOSYS/);
    expect(text).toContain('SystemCallArchitectures=x86-64 x86');
  });
});
