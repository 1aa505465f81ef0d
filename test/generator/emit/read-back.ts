// Every output format read back into something that decides a syscall, the way its consumer would:
// JSON through our Docker/OCI reader (the differential tests pin that to libseccomp), k8s YAML the
// same after unwrapping, systemd's SystemCallFilter= names, and every BPF-carrying format (bpf,
// bpf-c, disasm, the libseccomp C file compiled and exported by libseccomp itself) run in the
// interpreter.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { type Arch, archOf, syscallName } from '../../../src/arch/index.js';
import { decodeProgram } from '../../../src/generator/bpf/encode.js';
import { runFilter } from '../../../src/generator/bpf/interpreter.js';
import type { Instruction } from '../../../src/generator/bpf/types.js';
import { validateProgram } from '../../../src/generator/bpf/validate.js';
import type { Format } from '../../../src/generator/emit/index.js';
import { parseDockerProfile } from '../../../src/generator/input/docker.js';
import { parseOciSeccomp } from '../../../src/generator/input/oci.js';
import { evaluatePolicy, type SyscallInput } from '../../../src/generator/policy/evaluate.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import { type Action, actionFromValue } from '../../../src/generator/policy/types.js';
import { seccompData } from '../../../src/generator/seccomp/data.js';
import { stringifyJson } from '../../../src/util/json.js';

export type Decide = (input: SyscallInput) => Action;

const SYSTEMD_ARCH: Readonly<Record<string, Arch>> = {
  'x86-64': 'x86_64',
  x86: 'i386',
  x32: 'x32',
  arm64: 'aarch64',
};

function program(insns: Instruction[]): Decide {
  const p = validateProgram(insns);
  return (input) => actionFromValue(runFilter(p, seccompData(input))) ?? { kind: 'kill-process' };
}

/** `profile_filter[]` rows of a bpf-c header. */
function bpfCProgram(text: string): Instruction[] {
  return [...text.matchAll(/^ {2}\{(0x[0-9a-f]{4}), (\d+), (\d+), (0x[0-9a-f]{8})\},$/gm)].map((m) => ({
    code: Number(m[1]),
    jt: Number(m[2]),
    jf: Number(m[3]),
    k: Number(m[4]),
  }));
}

/** The CODE JT JF K columns of a disasm listing. */
function disasmProgram(text: string): Instruction[] {
  return [...text.matchAll(/^ \d{4}: (0x[0-9a-f]{2}) (0x[0-9a-f]{2}) (0x[0-9a-f]{2}) (0x[0-9a-f]{8})/gm)].map(
    (m) => ({
      code: Number(m[1]),
      jt: Number(m[2]),
      jf: Number(m[3]),
      k: Number(m[4]),
    }),
  );
}

/** systemd allows by name on the listed architectures; everything else gets its one default. */
function systemd(text: string): Decide {
  const values = (key: string) =>
    [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].flatMap((m) => m[1]!.split(/\s+/).filter(Boolean));
  const arches = values('SystemCallArchitectures').map((a) => SYSTEMD_ARCH[a]);
  const logged = values('SystemCallLog').length > 0;
  const allowed = new Set(values('SystemCallFilter'));
  const errno = values('SystemCallErrorNumber')[0];
  return (input) => {
    const arch = archOf(input.auditArch, input.nr);
    if (!arch || !arches.includes(arch)) return { kind: 'kill-process' };
    if (logged) return { kind: 'allow' };
    const name = syscallName(arch, input.nr);
    if (name && allowed.has(name)) return { kind: 'allow' };
    return errno
      ? { kind: 'errno', errno: Number.isNaN(Number(errno)) ? 1 : Number(errno) }
      : { kind: 'kill-process' };
  };
}

/** The k8s SeccompProfile's spec as a Docker profile (errnoRet is a string there). */
function k8sAsDocker(text: string): string {
  const doc = parse(text, { intAsBigInt: true }) as { spec: Record<string, unknown> };
  const spec = doc.spec as { syscalls?: { errnoRet?: string }[] };
  const syscalls = (spec.syscalls ?? []).map((s) =>
    s.errnoRet === undefined ? s : { ...s, errnoRet: Number(s.errnoRet) },
  );
  return stringifyJson({ ...spec, syscalls });
}

/** libseccomp's own filter for the generated C file: compiled with gcc, exported by seccomp_export_bpf. */
async function libseccompProgram(text: string): Promise<Instruction[]> {
  const dir = mkdtempSync(join(tmpdir(), 'profile-readback-'));
  writeFileSync(join(dir, 'profile.c'), text);
  writeFileSync(
    join(dir, 'export.c'),
    '#include "profile.c"\nint main(void) {\n  scmp_filter_ctx ctx = profile_build();\n  if (!ctx) return 70;\n  return seccomp_export_bpf(ctx, 1) < 0 ? 71 : 0;\n}\n',
  );
  await execa('gcc', ['-o', join(dir, 'export'), join(dir, 'export.c'), '-lseccomp']);
  const run = await execa(join(dir, 'export'), { encoding: 'buffer' });
  return [...decodeProgram(new Uint8Array(run.stdout))];
}

/** Reads `content` (as emitted in `format`) back into a decision function. */
export async function readBack(format: Format, content: string | Uint8Array): Promise<Decide> {
  const opts = DEFAULT_GENERATE_OPTIONS;
  switch (format) {
    case 'docker': {
      const policy = parseDockerProfile(content as string, 'out.json', opts);
      return (input) => evaluatePolicy(policy, input);
    }
    case 'oci': {
      const policy = parseOciSeccomp(content as string, 'out.json', opts);
      return (input) => evaluatePolicy(policy, input);
    }
    case 'k8s': {
      const policy = parseDockerProfile(k8sAsDocker(content as string), 'out.yaml', opts);
      return (input) => evaluatePolicy(policy, input);
    }
    case 'systemd':
      return systemd(content as string);
    case 'bpf':
      return program([...decodeProgram(content as Uint8Array)]);
    case 'bpf-c':
      return program(bpfCProgram(content as string));
    case 'disasm':
      return program(disasmProgram(content as string));
    case 'libseccomp':
      return program(await libseccompProgram(content as string));
  }
}
