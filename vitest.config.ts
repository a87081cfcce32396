import { defineConfig } from 'vitest/config';

/** Tests that start real processes: the daemon, Prometheus, promtool, kubectl, container builds. */
const E2E = ['test/e2e/**/*.test.ts', 'test/bench/**/*.test.ts', 'test/deploy/**/*.test.ts', 'test/main.test.ts', 'test/simulate.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests start real processes and servers; two cores do not gain from more.
    maxWorkers: 2,
    // Removes each test's temp dirs after it, and the file's after the file (test/helpers/temp-dirs.ts).
    setupFiles: ['test/setup/remove-temp-dirs.ts'],
    projects: [
      // Pure and in-process: `npm run test:unit`, under a minute on two cores.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      // Real processes: `npm run test:e2e`.
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
