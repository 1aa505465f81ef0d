import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // ptrace tests fork real workloads; two cores do not like many at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
