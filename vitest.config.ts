import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Training the classifier takes seconds: done once here, every test file loads the cached model.
    globalSetup: ['test/helpers/nlu-cache.ts'],
  },
});
