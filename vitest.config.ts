import { defineConfig } from 'vitest/config'

/** Unit and integration tests (Node). Browser tests live in test/e2e and run with vitest.e2e.config.ts. */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
  },
})
