// One code path for Node and the browser: the same seeded training run in Node (Dawn) and in headless
// Chromium (navigator.gpu), both on SwiftShader here, must agree bit for bit; and the page works end to
// end. The test builds the browser bundle, starts its own server and browser, and stops them.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error a plain .mjs script without types
import { wgslOptions } from '../scripts/shader-registry.mjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
// @ts-expect-error plain JavaScript shared with the browser
import { parityRun } from './parity/run.js';
// @ts-expect-error plain JavaScript
import { serve } from '../scripts/serve.mjs';
import { drawOne } from './draw.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server: { url: string; close: () => Promise<void> };
let browser: Browser;

beforeAll(async () => {
  await setup();
  await build({ entryPoints: ['src/index.ts'], outfile: 'dist/browser/rootgrad.js', bundle: true, format: 'esm', platform: 'browser', target: 'es2022', ...wgslOptions, logLevel: 'warning' });
  server = await serve({ port: 0, extra: { parity: resolve('test/parity') } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A Chrome trace event: ts, dur and tdur (the thread's CPU time) in microseconds. */
interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

function ulps(a: number, b: number): number {
  // distance in units in the last place between two f32 bit patterns (sign-magnitude to ordered ints)
  const ord = (u: number) => (u & 0x80000000 ? 0x80000000 - (u >>> 0) : u + 0x80000000);
  return Math.abs(ord(a >>> 0) - ord(b >>> 0));
}

function compare(what: string, node: { losses: number[]; weights: Record<string, number[]> }, web: typeof node): string[] {
  const problems: string[] = [];
  const firstStep = node.losses.findIndex((b, i) => b !== web.losses[i]);
  if (firstStep >= 0) problems.push(`${what}: losses differ first at step ${firstStep + 1} (${ulps(node.losses[firstStep], web.losses[firstStep])} ULPs)`);
  for (const [name, bits] of Object.entries(node.weights)) {
    const other = web.weights[name];
    let worst = 0;
    bits.forEach((b, i) => (worst = Math.max(worst, ulps(b, other[i]))));
    if (worst) problems.push(`${what}: weight ${name} differs by up to ${worst} ULPs`);
  }
  return problems;
}

describe('Node and Chromium', () => {
  test('the same seeded training gives the same bits (50 MLP steps, 20 ViT steps)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/parity/parity.html`);
    await page.waitForFunction(() => (window as any).__parity, null, { timeout: 240_000 });
    const web = await page.evaluate(() => (window as any).__parity);
    await page.close();
    expect(web.error, errors.join('\n')).toBeUndefined();
    rg.resetAutotune(); // the adapter's default kernels, as in the fresh browser page
    const node = await parityRun(rg, rg.loadDataset('digits'));
    expect(web.adapter).toBe(node.adapter);
    expect(node.mlp.losses).toHaveLength(50);
    const problems = [...compare('MLP', node.mlp, web.mlp), ...compare('ViT', node.vit, web.vit)];
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('the page trains, draws its curves, and predicts a drawn digit', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const missing: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', (r) => r.status() >= 400 && missing.push(`${r.status()} ${r.url()}`));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#adapter:not(:empty)', { timeout: 60_000 });
    await page.selectOption('#loss', 'rooted');
    await page.fill('#epochs', '3');
    // Main-thread stalls made by the page while training, after the first step (whose pipelines compile):
    // the longest task of the page's main thread, in that thread's CPU time (a trace's tdur). Gaps between
    // animation frames, measured on the wall clock, also counted the time a loaded machine gave the thread
    // no CPU at all, and went past 100 ms with the page doing the same work. Frames are still counted.
    await page.evaluate(() => {
      const w = window as any;
      w.__frames = 0;
      const tick = () => {
        w.__frames++;
        if (!w.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
    const markedAt = await page.evaluate(() => performance.mark('rootgrad-test:train').startTime);
    await page.click('#train');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('done'), null, { timeout: 180_000 });
    const { firstStepDone, frames } = await page.evaluate(() => {
      const w = window as any;
      w.__stopFrames = true;
      return { firstStepDone: w.__firstStepDone as number, frames: w.__frames as number };
    });
    const events: TraceEvent[] = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    const mark = events.find((e) => e.name === 'rootgrad-test:train')!;
    const from = mark.ts + (firstStepDone - markedAt) * 1000; // trace time (µs) from the page's clock (ms)
    const tasks = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && e.ts >= from);
    expect(tasks.length).toBeGreaterThan(20);
    expect(tasks.every((e) => typeof e.tdur === 'number'), 'the trace gives each task its thread (CPU) time').toBe(true);
    const longest = tasks.reduce((a, b) => (b.tdur! > a.tdur! ? b : a));
    expect(frames).toBeGreaterThan(20);
    expect(longest.tdur! / 1000, `longest main-thread task while training: ${(longest.tdur! / 1000).toFixed(0)} ms of CPU (${(longest.dur! / 1000).toFixed(0)} ms wall)`).toBeLessThanOrEqual(100);
    const points = await page.evaluate(() => (window as any).__curve?.length ?? 0);
    expect(points).toBe(3);
    const svg = await page.locator('#curves svg').innerHTML();
    expect(svg).toContain('>epoch<'); // axis labels and ticks, from the same code as curves.svg
    await drawOne(page); // a "1"
    const probs = await page.$$eval('#probs .bar', (bars) => bars.length);
    expect(probs).toBe(10);
    const out = resolve('test-output');
    if (!existsSync(out)) mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, 'page.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(missing).toEqual([]); // no 404 (e.g. a favicon)
    await page.close();
  });
});
