import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // compiles dist/ once per run: CLI and worker-pool tests run what ships, never a stale build
    // and gives the run its own TMPDIR, removed at the end, so no test leaves temp directories behind
    globalSetup: ['test/global-setup.ts', 'test/temp-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
