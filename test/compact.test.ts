// The minified browser bundle carries its WGSL compacted (scripts/compact-wgsl.mjs: no comments, no
// indentation). This builds the command twice, with and without compaction, and requires the gradient
// audit (every primitive, loss and model) to print the same numbers: with the CPU-like adapter's default
// kernels and with the GPU ones forced, so that every kernel file is compiled and run from both texts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { compactWgsl } from '../scripts/compact-wgsl.mjs';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions, wgslPlugin } from '../scripts/shader-registry.mjs';

test('compacting drops comments and indentation, keeps code, includes and defines', () => {
  const src = '// header\n#include "common.wgsl"\n\nfn f() -> f32 {\n  return {{X}}; // why\n}\n';
  expect(compactWgsl(src)).toBe('#include "common.wgsl"\nfn f() -> f32 {\nreturn {{X}};\n}');
  expect(() => compactWgsl('/* no */')).toThrow('block comments');
});

test('compacted kernels compute the same bits as the commented ones (audit, both kernel sets)', async () => {
  // inside the project, so that the bundles resolve the 'webgpu' package
  mkdirSync('node_modules/.cache', { recursive: true });
  const dir = mkdtempSync('node_modules/.cache/rootgrad-compact-');
  const common = { entryPoints: ['test/fixtures/audit-main.ts'], bundle: true, format: 'esm' as const, platform: 'node' as const, target: 'es2022', ...wgslOptions, external: ['webgpu'], logLevel: 'warning' as const };
  await build({ ...common, outfile: join(dir, 'plain.mjs') });
  await build({ ...common, outfile: join(dir, 'compact.mjs'), plugins: [wgslPlugin(true)] });
  const gpuKernels = { ROOTGRAD_VARIANT_MATMUL: 'tiled', ROOTGRAD_VARIANT_SOFTMAX: 'workgroup', ROOTGRAD_VARIANT_REDUCE: 'workgroup', ROOTGRAD_VARIANT_LOSSROWS: 'workgroup', ROOTGRAD_VARIANT_ATTENTION: 'flash', ROOTGRAD_VARIANT_CONV: 'tiled' };
  for (const variants of [{}, gpuKernels]) {
    const run = (file: string) => {
      const r = spawnSync(process.execPath, [join(dir, file)], { encoding: 'utf8', env: { ...process.env, ROOTGRAD_QUIET: '1', ...variants }, timeout: 240_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const plain = run('plain.mjs');
    expect(plain).toContain('"name":"matmul"');
    expect(run('compact.mjs')).toBe(plain);
  }
  rmSync(dir, { recursive: true, force: true });
}, 300_000);
