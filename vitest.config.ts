import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Both cores: the default here ran the files one after another (the matrix and the fuzz are split in
    // two files each so the halves run side by side).
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000
  }
});
