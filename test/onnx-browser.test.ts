// rootgrad/onnx in a browser: headless Chromium loads dist/browser/onnx.js (which imports the core bundle
// beside it), fetches a model by URL, and its outputs have the same bits as in Node.
import { resolve } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions } from '../scripts/shader-registry.mjs';
// @ts-expect-error a plain .mjs script without types
import { coreAs } from '../scripts/onnx-external.mjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { loadOnnx } from '../src/onnx/node.js';
// @ts-expect-error plain JavaScript
import { serve } from '../scripts/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server: { url: string; close: () => Promise<void> };
let browser: Browser;

beforeAll(async () => {
  await setup();
  const common = { bundle: true, format: 'esm' as const, platform: 'browser' as const, target: 'es2022', ...wgslOptions, logLevel: 'warning' as const };
  await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/browser/rootgrad.js' });
  await build({ ...common, entryPoints: ['src/onnx/index.ts'], outfile: 'dist/browser/onnx.js', plugins: [...wgslOptions.plugins, coreAs('./rootgrad.js')] });
  server = await serve({ port: 0, extra: { models: resolve('test/fixtures/onnx') } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('rootgrad/onnx in Chromium', () => {
  test('a LeNet loaded by URL gives the bits Node gives', async () => {
    const input = Array.from({ length: 2 * 144 }, (_, i) => Math.sin(i) * 0.5);
    const m = await loadOnnx('test/fixtures/onnx/lenet.onnx', { trainable: false });
    const x = rg.tensor(new Float32Array(input), [2, 1, 12, 12]);
    const y = m.forward(x) as InstanceType<typeof rg.Tensor>;
    const node = Array.from(await y.data());
    for (const t of [x, y]) t.dispose();
    m.dispose();

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/models/`); // any page of this origin (a 404 is fine): localhost is a secure context
    // a string, so that vitest does not rewrite the page's dynamic imports
    const web = (await page.evaluate(`(async () => {
      const core = await import('/dist/browser/rootgrad.js');
      const { loadOnnx } = await import('/dist/browser/onnx.js');
      await core.init();
      const model = await loadOnnx(new URL('/models/lenet.onnx', location.href), { trainable: false });
      const out = model.forward(core.tensor(new Float32Array(${JSON.stringify(input)}), [2, 1, 12, 12]));
      return { data: Array.from(await out.data()), outputs: model.outputNames };
    })()`)) as { data: number[]; outputs: string[] };
    await page.close();
    expect(errors).toEqual([]);
    expect(web.outputs).toEqual(['output']);
    expect(new Float32Array(web.data)).toEqual(new Float32Array(node));
  });
});
