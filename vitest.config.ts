import { defineConfig } from 'vitest/config';
// @ts-expect-error a plain .mjs script without types
import { shaderRegistryVite } from './scripts/shader-registry.mjs';

export default defineConfig({
  plugins: [
    shaderRegistryVite(),
    {
      // The builds inline WGSL with esbuild's text loader; this does the same under vitest.
      name: 'wgsl-as-text',
      transform(code, id) {
        if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      },
    },
  ],
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
