import { defineConfig } from 'vitest/config'

/**
 * Browser tests (test/e2e): Playwright + Debian Chromium against `next start`. One file at a time, long timeouts:
 * the global setup builds the app first.
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
})
