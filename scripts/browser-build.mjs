// The browser bundles, in one place for scripts/build.mjs and the tests that load them in Chromium: for every
// entry of scripts/entries.mjs, OUTDIR/NAME.js (and NAME.min.js). rootgrad.js and core.js share their code
// through chunks/ (rootgrad is the core plus the tools on top), so a page or an app that imports both gets
// one Tensor class and one device. An entry with browserImportsCore (rootgrad/onnx) is its own file that
// imports ./core.js beside it (./core.min.js from the minified one): the core is never bundled twice.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { wgslPlugin } from './shader-registry.mjs';
import { entries } from './entries.mjs';
import { coreAs } from './onnx-external.mjs';

/** Builds the browser bundles into outdir; minify: also the .min.js files (WGSL compacted in both). */
export async function buildBrowser(outdir, { minify = true, sourcemap = true } = {}) {
  // The files carry their WGSL compacted (no comments or indentation: test/compact.test.ts checks the same
  // bits), the readable one too, because it is what an app's bundler takes in: the kernels' commentary was a
  // third of every app's bundle. The kernels' commented sources are in shaders/ and src/ (shipped).
  const common = { bundle: true, format: 'esm', plugins: [wgslPlugin(true)], target: 'es2022', logLevel: 'warning', legalComments: 'none', platform: 'browser' };
  rmSync(`${outdir}/chunks`, { recursive: true, force: true });
  const shared = Object.fromEntries(entries.filter((e) => !e.browserImportsCore).map((e) => [e.browserName ?? e.name, e.browser]));
  const split = { splitting: true, chunkNames: 'chunks/[name]-[hash]', entryPoints: shared, outdir };
  const variants = [['', { sourcemap }], ...(minify ? [['.min', { minify: true }]] : [])];
  for (const [suffix, extra] of variants) {
    await build({ ...common, ...split, ...extra, entryNames: `[name]${suffix}` });
    for (const e of entries.filter((e) => e.browserImportsCore)) {
      await build({ ...common, ...extra, entryPoints: [e.browser], outfile: `${outdir}/${e.name}${suffix}.js`, plugins: [...common.plugins, coreAs(`./core${suffix}.js`)] });
    }
  }
}
