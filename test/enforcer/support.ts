// Helpers for the end-to-end enforcer tests: run the real CLI, record and generate real programs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** What a finished command left behind (text streams). */
export interface Ran {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

async function ran(p: ReturnType<typeof execa>): Promise<Ran> {
  const r = await p;
  return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export const CLI = fileURLToPath(new URL('../../dist/bin/profile.cjs', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PYTHON = '/usr/bin/python3';

/** Runs `profile …` (the built CLI) and never throws on a non-zero exit. */
export function profile(args: readonly string[], options: { cwd?: string } = {}): Promise<Ran> {
  return ran(execa('node', [CLI, ...args], { reject: false, cwd: options.cwd ?? REPO, stdin: 'ignore' }));
}

/** Runs a command natively (no tracer) for reference output. */
export function native(argv: readonly string[], options: { cwd?: string } = {}): Promise<Ran> {
  return ran(execa(argv[0]!, argv.slice(1), { reject: false, cwd: options.cwd ?? REPO, stdin: 'ignore' }));
}

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `enforcer-${prefix}-`));
}

/** `profile record` then `profile generate --format F`; returns the paths. Throws on failure. */
export async function recordAndGenerate(
  dir: string,
  argv: readonly string[],
  formats: readonly string[] = ['docker'],
  generateFlags: readonly string[] = [],
  options: { cwd?: string } = {},
): Promise<{ recording: string; outputs: Record<string, string> }> {
  const recording = join(dir, 'recording.json');
  const rec = await profile(['record', '--quiet', '-o', recording, '--', ...argv], options);
  if (rec.exitCode !== 0) throw new Error(`record failed (${rec.exitCode}): ${rec.stderr}`);
  const outputs: Record<string, string> = {};
  for (const format of formats) {
    const out = join(dir, `profile.${format === 'bpf' ? 'bpf' : `${format}.json`}`);
    const gen = await profile(['generate', recording, '--format', format, '-o', out, ...generateFlags]);
    if (gen.exitCode !== 0) throw new Error(`generate ${format} failed (${gen.exitCode}): ${gen.stderr}`);
    outputs[format] = out;
  }
  return { recording, outputs };
}

interface DockerRule {
  names?: string[];
  name?: string;
}

/** A copy of a Docker profile JSON without the given syscalls. Throws when one is not in it. */
export function withoutSyscalls(dockerJson: string, names: readonly string[], out: string): string {
  const doc = JSON.parse(readFileSync(dockerJson, 'utf8')) as { syscalls: DockerRule[] };
  for (const name of names) {
    const present = doc.syscalls.some((r) => r.name === name || r.names?.includes(name));
    if (!present) throw new Error(`${name} is not in ${dockerJson}`);
  }
  doc.syscalls = doc.syscalls
    .map((r) => (r.names ? { ...r, names: r.names.filter((n) => !names.includes(n)) } : r))
    .filter((r) => !(r.name && names.includes(r.name)) && !(r.names && r.names.length === 0));
  writeFileSync(out, JSON.stringify(doc, null, 2));
  return out;
}

/** The report `--json` prints as the last stdout line. */
export function jsonReport<T = Record<string, unknown>>(stdout: string): T {
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
