// Damaged and forged inputs (recordings, Docker/OCI profiles, raw BPF) through every reader: the
// library calls behind generate, lint, diff, show and merge in-process (a few hundred cases), then
// the real CLI, enforce --complain included (a few dozen). Every failure must be a ProfilerError
// with a documented exit code, printed as one line: no stack trace, never 70, no hang. Whatever
// succeeds must still be well-formed where hostile strings could break it (systemd, YAML, C).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { diff, lint } from '../../src/enforcer/inspect.js';
import { EXIT, ProfilerError } from '../../src/errors.js';
import { emitPolicy, FORMATS } from '../../src/generator/emit/index.js';
import { loadPolicy } from '../../src/generator/input/load.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../src/generator/policy/options.js';
import { readRecording } from '../../src/recording/io.js';
import { mergeRecordings } from '../../src/recording/merge.js';
import { argumentRows, runLine, showJson } from '../../src/recording/show.js';
import { samplePolicy } from '../generator/emit/support.js';
import { needs } from '../support/host.js';
import { hostileRecording } from '../support/hostile.js';
import { mutatedBpf, mutatedJson, mutatedText } from './mutate.js';

const CLI = fileURLToPath(new URL('../../dist/bin/profile.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'profile-fuzz-'));
/** Case counts; SECCOMP_PROFILER_FUZZ_RUNS=N multiplies them for a long local run. */
const SCALE = Number(process.env.SECCOMP_PROFILER_FUZZ_RUNS ?? 1);
/** The exit codes a failing read may have (README's table): usage, bad input, no input, can't create. */
const DOCUMENTED_ERRORS = new Set([EXIT.usage, EXIT.badInput, EXIT.noInput, EXIT.cantCreate]);

const policy = samplePolicy();
const SEEDS = {
  recording: JSON.parse(JSON.stringify(hostileRecording())),
  docker: JSON.parse(emitPolicy(policy, 'docker') as string),
  oci: { ociVersion: '1.0.2', linux: { seccomp: JSON.parse(emitPolicy(policy, 'oci') as string) } },
};
const BPF = emitPolicy(policy, 'bpf') as Uint8Array;

/** Inputs of every kind: tree edits and text edits of the JSON seeds, byte edits of the filter. */
const anyInput: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  ...Object.values(SEEDS).flatMap((seed) => [mutatedJson(seed), mutatedJson(seed).chain(mutatedText)]),
  mutatedBpf(BPF),
);

/** Runs `fn`; an error must be a ProfilerError with a documented exit code and a message. */
function expectCleanFailure(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof ProfilerError)) throw error;
    expect(DOCUMENTED_ERRORS.has(error.exitCode as never), error.message).toBe(true);
    expect(error.message.length).toBeGreaterThan(0);
    return undefined;
  }
}

async function expectCleanFailureAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof ProfilerError)) throw error;
    expect(DOCUMENTED_ERRORS.has(error.exitCode as never), error.message).toBe(true);
  }
}

/** What must hold of an output however hostile its input was. */
function checkOutput(format: string, out: string | Uint8Array): void {
  if (typeof out !== 'string') return;
  if (format === 'systemd') {
    for (const line of out.split(/\r\n|\r|\n|\0/))
      expect(line).toMatch(/^(#.*|\[Service\]|SystemCall[A-Za-z]+=.*|)$/);
  } else if (format === 'k8s') {
    expect(Object.keys(parseYaml(out))).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  } else if (format === 'libseccomp' || format === 'bpf-c') {
    expect(out.slice(out.indexOf('*/'), out.indexOf('*/') + 4)).toMatch(/^\*\/\n#/);
  } else if (format === 'docker' || format === 'oci') {
    JSON.parse(out);
  }
}

describe('fuzzed inputs, in-process', () => {
  const file = join(dir, 'input');

  it('generate (every format), lint, diff, show and merge fail cleanly or succeed', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        writeFileSync(file, input);
        const loaded = expectCleanFailure(() => loadPolicy([file], DEFAULT_GENERATE_OPTIONS)) as
          | ReturnType<typeof loadPolicy>
          | undefined;
        if (loaded)
          for (const format of FORMATS) {
            const out = expectCleanFailure(() => emitPolicy(loaded, format)) as
              | string
              | Uint8Array
              | undefined;
            if (out !== undefined) checkOutput(format, out);
          }
        await expectCleanFailureAsync(() => lint(file));
        await expectCleanFailureAsync(() => diff(file, file));
        const rec = expectCleanFailure(() => readRecording(file)) as
          | ReturnType<typeof readRecording>
          | undefined;
        if (rec) {
          JSON.stringify(showJson(rec));
          for (const run of rec.runs) expect(runLine(run)).not.toMatch(/[\n\r\u001b]/);
          argumentRows(rec);
          expectCleanFailure(() => mergeRecordings([rec, rec]));
        }
      }),
      {
        numRuns: 200 * SCALE,
        seed: Number(process.env.SECCOMP_PROFILER_FUZZ_SEED ?? 20261),
        endOnFailure: true,
      },
    );
  });
});

/** Runs the CLI with a time bound; the result is checked by the caller. */
async function cli(args: readonly string[]) {
  const r = await execa('node', [CLI, ...args], {
    reject: false,
    timeout: 60_000,
    cwd: dir,
    stdin: 'ignore',
  });
  return { args, code: r.exitCode, timedOut: r.timedOut, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function expectCleanCli(r: Awaited<ReturnType<typeof cli>>, ok: readonly number[]): void {
  const what = `${r.args.join(' ')} → ${r.code}: ${r.stderr}`;
  expect(r.timedOut, what).toBe(false);
  expect(r.code, what).not.toBe(EXIT.internal);
  expect(r.stderr, what).not.toMatch(/internal error|\n\s+at |Error:/);
  if (ok.includes(r.code ?? -1)) return;
  expect(DOCUMENTED_ERRORS.has((r.code ?? -1) as never), what).toBe(true);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toMatch(/^profile: /);
}

describe('fuzzed inputs, through the CLI', () => {
  const inputs = fc.sample(anyInput, { numRuns: 20 * SCALE, seed: 7 }).map((input, i) => {
    const path = join(dir, `cli-${i}`);
    writeFileSync(path, input);
    return path;
  });

  it('generate, lint, diff, show and merge: one line, documented codes, no hang', async () => {
    const runs = inputs.map((path, i) => {
      const cmd = [
        ['generate', path, '--format', FORMATS[i % FORMATS.length]!, '-o', join(dir, `out-${i}`)],
        ['lint', path],
        ['diff', path, inputs[(i + 1) % inputs.length]!],
        ['show', path],
        ['merge', '-o', join(dir, `merged-${i}.json`), path, path],
      ][i % 5]!;
      return cmd;
    });
    for (let i = 0; i < runs.length; i += 2) {
      const results = await Promise.all(runs.slice(i, i + 2).map(cli));
      // diff exits 1 when the files differ, lint finds nothing to fail on without --strict.
      for (const r of results) expectCleanCli(r, [0, 1]);
    }
  });

  it('enforce --complain with a trivial command', needs('ptrace', 'seccomp'), async () => {
    for (const path of inputs.slice(0, 6 * SCALE)) {
      const r = await cli(['enforce', '--profile', path, '--complain', '--', 'true']);
      expectCleanCli(r, [0]);
    }
  });
});
