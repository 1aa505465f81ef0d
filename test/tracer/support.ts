// Ground truth for the tracer tests: what `strace -f` says a command calls.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeEach } from 'vitest';
import type { Arch } from '../../src/arch/index.js';
import type { Capability } from '../support/host.js';

/** Syscall names per arch from `strace -f -qq` output (personality switches tracked per pid). */
export function parseStrace(
  text: string,
): Record<'x86_64' | 'i386' | 'x32', Set<string>> & { pids: Set<string> } {
  const out = {
    x86_64: new Set<string>(),
    i386: new Set<string>(),
    x32: new Set<string>(),
    pids: new Set<string>(),
  };
  const mode = new Map<string, 'x86_64' | 'i386' | 'x32'>();
  for (const line of text.split('\n')) {
    const personality = /^(?:\d+\s+)?\[ Process PID=(\d+) runs in (64 bit|32 bit|x32) mode\. \]/.exec(line);
    if (personality) {
      const m = personality[2] === '64 bit' ? 'x86_64' : personality[2] === '32 bit' ? 'i386' : 'x32';
      mode.set(personality[1]!, m);
      continue;
    }
    const call = /^(\d+)\s+(?:<\.\.\. ([\w]+) resumed>|([\w]+)\()/.exec(line);
    if (!call) continue;
    const name = call[2] ?? call[3]!;
    out.pids.add(call[1]!);
    out[mode.get(call[1]!) ?? 'x86_64'].add(name);
  }
  return out;
}

/** Runs `argv` under `strace -f -qq` and returns the syscall names it saw, per arch. */
export async function straceSyscalls(
  argv: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ReturnType<typeof parseStrace>> {
  const dir = mkdtempSync(join(tmpdir(), 'strace-'));
  try {
    const log = join(dir, 'log');
    await execa('strace', ['-f', '-qq', '-o', log, ...argv], {
      reject: false,
      stdin: 'ignore',
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
    });
    return parseStrace(readFileSync(log, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names recorded for one arch. */
export function recordedNames(rec: { syscalls: Partial<Record<Arch, Record<string, unknown>>> }, arch: Arch) {
  return new Set(Object.keys(rec.syscalls[arch] ?? {}));
}

/** Sorted symmetric difference, for readable failures. */
export function setDiff(recorded: Set<string>, truth: Set<string>) {
  return {
    onlyRecorded: [...recorded].filter((n) => !truth.has(n)).sort(),
    onlyStrace: [...truth].filter((n) => !recorded.has(n)).sort(),
  };
}

/** The compiled CLI (tests run after `npm run build`). */
export const CLI = fileURLToPath(new URL('../../dist/bin/profile.cjs', import.meta.url));

/** The real python3 binary (not a pyenv shim, whose bash wrapper would be traced too). */
export async function realPython(): Promise<string> {
  return (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
}

/** Compiles a C fixture from test/fixtures/tracer into `dir`; returns the binary's path. */
export async function compileFixture(name: string, dir: string): Promise<string> {
  const src = fileURLToPath(new URL(`../fixtures/tracer/${name}.c`, import.meta.url));
  const out = join(dir, name);
  await execa('gcc', ['-O1', '-no-pie', '-pthread', '-o', out, src]);
  return out;
}

/** Path of a script fixture in test/fixtures/tracer. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/tracer/${name}`, import.meta.url));
}

/** Node's arguments for `profile record -q -o OUTPUT [flags] ARGV…` (ARGV may start with `--`). */
export function recordArgs(
  argv: readonly string[],
  opts: { output: string; flags?: readonly string[] },
): string[] {
  return [CLI, 'record', '-q', '-o', opts.output, ...(opts.flags ?? []), ...argv];
}

/** Runs `profile record` through the CLI (same stdio set-up as straceSyscalls). */
export async function recordCli(
  argv: readonly string[],
  opts: { output: string; cwd?: string; flags?: readonly string[]; env?: NodeJS.ProcessEnv },
) {
  return execa(process.execPath, recordArgs(argv, opts), {
    reject: false,
    stdin: 'ignore',
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
  });
}

/** The record backends the end-to-end tests run against. */
export const RECORD_BACKENDS = ['ptrace', 'ebpf'] as const;
export type RecordBackend = (typeof RECORD_BACKENDS)[number];

/** What a test needs from the host with `backend`: eBPF instead of ptrace and seccomp. */
export function backendCaps(backend: RecordBackend, caps: readonly Capability[]): Capability[] {
  return backend === 'ptrace'
    ? [...caps]
    : [...caps.filter((c) => c !== 'ptrace' && c !== 'seccomp'), 'ebpf'];
}

/** Sets `name` to `value`, or unsets it for undefined; returns how to put back what was there. */
function setEnv(name: string, value: string | undefined): () => void {
  const saved = process.env[name];
  const put = (v: string | undefined) => {
    if (v === undefined) delete process.env[name];
    else process.env[name] = v;
  };
  put(value);
  return () => put(saved);
}

/** Runs `fn` with the environment variable `name` set to `value` (undefined: unset), then restores it. */
export async function withEnv<T>(name: string, value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const restore = setEnv(name, value);
  try {
    return await fn();
  } finally {
    restore();
  }
}

/** In the enclosing describe: every test runs with `name` set to `value` (undefined: unset); restored after. */
export function envInBlock(name: string, value: string | undefined): void {
  let restore: (() => void) | undefined;
  beforeEach(() => {
    const undo = setEnv(name, value);
    restore ??= undo; // the first undo puts back what was there before the block
  });
  afterAll(() => restore?.());
}
