import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**', 'dist/**'],
    // Bounds for a hang, not a measure: the longest tests (the classifier's full-corpus comparisons, the crash
    // runs) take 10-25 s alone and more beside another file, so the bound leaves them room.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Vitest's default (CPUs - 1) runs one file at a time on a 2-core machine; most files wait on the
    // servers, browsers and CLI processes they start, so two at a time halve the suite there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Training the classifier takes seconds: done once here, every test file loads the cached model.
    globalSetup: ['test/helpers/nlu-cache.ts'],
  },
});
