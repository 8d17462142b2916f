import { defineConfig } from 'vitest/config';
// @ts-expect-error a plain .mjs script without types
import { wgslVite } from './scripts/shader-registry.mjs';

export default defineConfig({
  // WGSL files as modules (scripts/shader-registry.mjs), as in the builds
  plugins: [wgslVite()],
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // One device per worker process, shared by its test files (src/gpu.ts keeps it on globalThis).
    isolate: false,
    // global.gc() for the tests of the finalizer safety net (test/ownership.test.ts).
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { ROOTGRAD_QUIET: '1' },
  },
});
