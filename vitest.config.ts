import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: rebuild dist/ if the sources are newer, probe the host (test/support/host.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // The default output, then one line per host capability that made tests skip.
    reporters: ['default', './test/support/host-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // ptrace tests fork real workloads; two cores do not like many at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
