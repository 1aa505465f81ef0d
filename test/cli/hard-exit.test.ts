// exitWithoutTeardown (src/util/hard-exit.ts): the CLI ends with _exit once nothing is left to run.
// It must not end anything early: pending timers still fire, 'exit' listeners still run, the exit
// code is the one set, and a large write to a pipe arrives whole.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const hardExit = fileURLToPath(new URL('../../dist/src/util/hard-exit.js', import.meta.url));
const libc = fileURLToPath(new URL('../../dist/src/tracer/libc.js', import.meta.url));

const script = (loadLibc: boolean) => `
  const { exitWithoutTeardown } = await import(${JSON.stringify(hardExit)});
  ${loadLibc ? `await import(${JSON.stringify(libc)});` : ''}
  exitWithoutTeardown();
  process.on('exit', (code) => process.stdout.write('exit listener ' + code + '\\n'));
  process.stdout.write('x'.repeat(1 << 20) + '\\n');
  setTimeout(() => { process.stdout.write('late\\n'); process.exitCode = 7; }, 50);
`;

describe('exitWithoutTeardown', () => {
  for (const loadLibc of [true, false]) {
    it(`waits for pending work, runs 'exit' listeners, keeps the code and the output (libc ${loadLibc ? 'loaded' : 'not loaded'})`, async () => {
      const r = await execa(process.execPath, ['--input-type=module', '-e', script(loadLibc)], {
        reject: false,
      });
      expect(r.exitCode).toBe(7);
      expect(r.stdout.length).toBe((1 << 20) + '\nlate\nexit listener 7'.length);
      expect(r.stdout.endsWith('\nlate\nexit listener 7')).toBe(true);
    });
  }
});
