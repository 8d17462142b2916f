// rootgrad/onnx in a browser: headless Chromium loads the browser bundles as the build makes them (onnx.js
// imports core.js beside it; rootgrad.js shares core.js's chunk), fetches a model by URL, runs it on a tensor
// made by rootgrad.js (one Tensor class across the bundles), and its outputs have the same bits as in Node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error a plain .mjs script without types
import { buildBrowser } from '../scripts/browser-build.mjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { loadOnnx } from '../src/onnx/node.js';
// @ts-expect-error plain JavaScript
import { serve } from '../scripts/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let bundles: string;

beforeAll(async () => {
  await setup();
  bundles = mkdtempSync(join(tmpdir(), 'rootgrad-onnx-browser-'));
  await buildBrowser(bundles, { minify: false, sourcemap: false });
  server = await serve({ port: 0, extra: { models: resolve('test/fixtures/onnx'), bundles } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (bundles) rmSync(bundles, { recursive: true, force: true });
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
      const core = await import('/bundles/rootgrad.js');
      const { loadOnnx } = await import('/bundles/onnx.js');
      if (core.Tensor !== (await import('/bundles/core.js')).Tensor) throw new Error('two Tensor classes');
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
