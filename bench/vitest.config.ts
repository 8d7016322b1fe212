// Benchmarks that print MB/s run here, never in `npm test`: `npm run bench:rules`
// (DUMPSCRUB_BENCH_MIB=256, DUMPSCRUB_BENCH_FILES=a.core:b.dmp).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: `${import.meta.dirname}/..`,
    include: ['bench/**/*.bench.ts'],
    testTimeout: 900_000,
    pool: 'forks',
  },
});
