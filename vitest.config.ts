import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/line-scanner.ts', 'tests/setup/postgres-server.ts', 'tests/setup/redis-server.ts'],
    setupFiles: ['tests/setup/network-guard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only add contention on the shared test server.
    maxWorkers: 2,
  },
});
