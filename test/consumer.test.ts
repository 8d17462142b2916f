// rootgrad as a web app installs it: build, `npm pack`, the tarball unpacked into a fresh app outside this
// repository (so no `webgpu`, nothing of ours on its resolution path; TypeScript, Vite and esbuild come from
// our node_modules), type-checked with moduleResolution bundler and nodenext (and a deliberate type error
// that must fail), the shipped example (examples/web) built with Vite and with esbuild, and run in Chromium:
// train, save, reload, the same logits. Node without `webgpu` says what to install. No network.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error plain JavaScript
import { serve } from '../scripts/serve.mjs';
import { drawOne } from './draw.js';
// @ts-expect-error plain JavaScript
import { measure } from '../scripts/bundle-size.mjs';
import { gzipSync } from 'node:zlib';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repo = resolve('.');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
let work: string;
let app: string;
let tarball: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rootgrad-consumer-'));
  // Built from a copy of the sources, as a clean checkout would be (and never racing browser.test.ts,
  // which writes dist/browser/ here).
  const stage = join(work, 'stage');
  for (const f of [...pkg.files.filter((f: string) => f !== 'dist'), 'package.json', 'scripts', 'tsconfig.json', 'tsconfig.build.json']) cpSync(f, join(stage, f), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(stage, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: stage, stdio: 'pipe' });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: stage, encoding: 'utf8' }));
  tarball = packed[0].files.map((f: { path: string }) => f.path);
  app = join(work, 'app');
  const installed = join(app, 'node_modules', 'rootgrad');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', installed, '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { rootgrad: `file:../${packed[0].filename}` } }));
  cpSync(join(installed, 'examples', 'web'), app, { recursive: true });
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh app', () => {
  test('ships the types, the example and the data; no native dependency', () => {
    for (const f of ['dist/browser/rootgrad.js', 'dist/node/index.js', 'dist/types/src/index.d.ts', 'dist/types/src/node.d.ts', 'examples/web/main.js', 'examples/web/index.html', 'data/digits.csv.gz', 'dist/browser/onnx.js', 'dist/node/onnx.js', 'dist/browser/core.js', 'dist/browser/core.min.js', 'dist/node/core.js', 'dist/types/src/core.d.ts', 'dist/types/src/onnx/index.d.ts', 'dist/types/src/onnx/node.d.ts']) expect(tarball).toContain(f);
    expect(tarball.filter((f) => f.startsWith('node_modules/') || f.startsWith('test/'))).toEqual([]);
    expect(pkg.dependencies?.webgpu).toBeUndefined();
    expect(pkg.peerDependenciesMeta.webgpu.optional).toBe(true);
    // every exports branch names its types
    const branches = (e: unknown): Record<string, unknown>[] => (e && typeof e === 'object' && !Array.isArray(e) ? [e as Record<string, unknown>, ...Object.values(e).flatMap(branches)] : []);
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      if (typeof entry === 'string') continue; // data files
      for (const b of branches(entry)) if ('default' in b) expect(b.types, `exports['${subpath}'] branch ${JSON.stringify(b)}`).toMatch(/\.d\.ts$/);
    }
  });

  test('type-checks under moduleResolution bundler and nodenext; a type error fails', () => {
    writeFileSync(
      join(app, 'check.ts'),
      `import * as rg from 'rootgrad';
import { RootgradError, type RootgradErrorCode } from 'rootgrad';
import { loadOnnx, type OnnxModel } from 'rootgrad/onnx';
export async function roundTrip(model: rg.Module): Promise<Blob> {
  const bytes = await rg.saveToBytes(model, { note: 'x' });
  const { model: again, metadata } = await rg.loadModel(new Blob([bytes]));
  again.dispose();
  return new Blob([rg.toSafetensors({}), bytes, metadata.note]);
}
export const supported: Promise<boolean> = rg.isSupported();
export const code = (e: unknown): RootgradErrorCode | null => (e instanceof RootgradError ? e.code : null);
// the ONNX entry: its own subpath, the same rules
export async function outputs(bytes: Uint8Array, x: rg.Tensor): Promise<string[]> {
  const model: OnnxModel = await loadOnnx(bytes, { trainable: false });
  const outs: Record<string, rg.Tensor> = await model.run({ [model.inputNames[0]]: x });
  model.dispose();
  return Object.keys(outs);
}
`,
    );
    writeFileSync(join(app, 'bad.ts'), `import { tensor } from 'rootgrad';\nexport const wrong: string = tensor([1, 2]);\n`);
    const options = { target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: true, types: [] };
    const configs = {
      bundler: { module: 'ESNext', moduleResolution: 'bundler' },
      nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    };
    // One run per mode: check.ts must be clean and bad.ts give exactly its error (not TS7016, not `any`).
    for (const [name, mode] of Object.entries(configs)) {
      writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...options, ...mode }, files: ['check.ts', 'bad.ts'] }));
      const run = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: app, encoding: 'utf8' });
      expect((run.stdout + run.stderr).trim(), name).toBe("bad.ts(2,14): error TS2322: Type 'Tensor' is not assignable to type 'string'.");
    }
  });

  test('Node without the webgpu package says what to install', () => {
    const script = `import * as rg from 'rootgrad';
let early = null;
try { rg.ones([2]); } catch (e) { early = e.code; }
const supported = await rg.isSupported();
try { await rg.init(); console.log(JSON.stringify({ supported })); }
catch (e) { console.log(JSON.stringify({ early, supported, code: e.code, typed: e instanceof rg.RootgradError, message: e.message })); }`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }));
    expect(out).toMatchObject({ early: 'NOT_INITIALISED', supported: false, code: 'NO_WEBGPU', typed: true });
    expect(out.message).toContain(`npm install webgpu@${pkg.peerDependencies.webgpu}`);
  });

  test('rootgrad, rootgrad/core and rootgrad/onnx share one engine, in Node and bundled for browsers', async () => {
    const script = `import * as full from 'rootgrad';
import * as core from 'rootgrad/core';
import { OnnxModel } from 'rootgrad/onnx';
console.log(JSON.stringify({ same: full.Tensor === core.Tensor && full.Module === core.Module && Object.getPrototypeOf(OnnxModel) === core.Module, compile: typeof full.compile, coreCompile: typeof core.compile }));`;
    expect(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }))).toEqual({ same: true, compile: 'function', coreCompile: 'undefined' });
    writeFileSync(join(app, 'engines.js'), script);
    const [bundled] = (await build({ entryPoints: [join(app, 'engines.js')], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', absWorkingDir: app, logLevel: 'error' })).outputFiles;
    expect(bundled.text.match(/class _?Tensor\b/g)).toHaveLength(1); // one engine in the app
    const run = spawnSync(process.execPath, ['--input-type=module', '-'], { input: bundled.text, encoding: 'utf8' });
    expect(JSON.parse(run.stdout)).toEqual({ same: true, compile: 'function', coreCompile: 'undefined' });
  });

  test('an app pays for what it uses: unused op families, their kernels and the audit are dropped', async () => {
    // the README's size table, measured on the installed package (esbuild and Vite, minified, gzip)
    const sizes = await measure(join(app, 'node_modules', 'rootgrad'));
    for (const bundler of ['esbuild', 'vite']) {
      expect(sizes.minimal[bundler].gzip, bundler).toBeLessThan(0.45 * sizes.full[bundler].gzip);
      expect(sizes.training[bundler].gzip, bundler).toBeLessThan(0.55 * sizes.full[bundler].gzip);
      expect(sizes.core[bundler].gzip, `${bundler}: rootgrad/core, every export`).toBeLessThan(100 * 1024); // its budget
    }
    // and prebuilt, for a page without a bundler: core.min.js with the chunks it imports
    const browserDir = join(app, 'node_modules', 'rootgrad', 'dist', 'browser');
    const files = new Set(['core.min.js']);
    for (const f of files) for (const m of readFileSync(join(browserDir, f), 'utf8').matchAll(/from\s*"\.\/(chunks\/[\w.-]+\.js)"/g)) files.add(m[1]);
    expect(files.size, 'core.min.js shares a chunk with rootgrad.min.js').toBeGreaterThan(1);
    expect([...files].reduce((n, f) => n + gzipSync(readFileSync(join(browserDir, f))).length, 0)).toBeLessThan(100 * 1024);
    // what is in the minimal app (init, tensor, matmul, relu, sum, a read), by its kernels' names
    cpSync(join(repo, 'scripts', 'size', 'minimal.js'), join(app, 'size-minimal.js'));
    const [minimal] = (await build({ entryPoints: [join(app, 'size-minimal.js')], bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', absWorkingDir: app, logLevel: 'error' })).outputFiles;
    const kernels = (text: string) => new Set([...text.matchAll(/name:"(\w+)",source:/g)].map((m) => m[1]));
    const kept = kernels(minimal.text);
    expect(kept).toContain('matmul_tiled');
    expect(kept).toContain('unary');
    for (const dropped of ['conv2d_blocked', 'pool2d', 'batch_norm', 'layer_norm', 'attention_forward', 'loss_rows_thread', 'rooted_loss_fused', 'linear_loss_rows', 'resize', 'adam_update']) expect(kept, dropped).not.toContain(dropped);
    expect(minimal.text).not.toContain('model: mlp'); // the audit's model rows
    expect(gzipSync(minimal.contents).length).toBeLessThan(60_000);
  }, 120_000);

  describe('the example, built with Vite and esbuild, in Chromium', () => {
    let browser: Browser;
    let server: { url: string; close: () => Promise<void> };

    beforeAll(async () => {
      await viteBuild({ root: app, base: './', configFile: false, logLevel: 'error', build: { outDir: join(app, 'dist-vite'), emptyOutDir: true, target: 'es2022' } });
      // esbuild has no `?url`: resolve the file and let the file loader give its URL.
      const url: Plugin = {
        name: 'url',
        setup(b) {
          b.onResolve({ filter: /\?url$/ }, async (a) => b.resolve(a.path.slice(0, -4), { kind: a.kind, resolveDir: a.resolveDir }));
        },
      };
      await build({ entryPoints: [join(app, 'main.js')], outdir: join(app, 'dist-esbuild'), bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', loader: { '.gz': 'file' }, plugins: [url], logLevel: 'error', absWorkingDir: app });
      writeFileSync(join(app, 'dist-esbuild', 'index.html'), readFileSync(join(app, 'index.html'), 'utf8'));
      server = await serve({ port: 0, extra: { vite: join(app, 'dist-vite'), esbuild: join(app, 'dist-esbuild') } });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    const accuracies: number[] = [];
    for (const bundler of ['vite', 'esbuild']) {
      test(`${bundler}: trains, saves, reloads the same model, classifies a drawn digit`, async () => {
        expect(readdirSync(join(app, `dist-${bundler}`)).length).toBeGreaterThan(1); // the page and its assets
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
        await page.goto(`${server.url}/${bundler}/index.html`);
        await page.waitForFunction(() => /^ready|error|[A-Z_]{5,}:/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 60_000 });
        expect(await page.textContent('#status')).toMatch(/^ready: 1438 training and 359 test digits/);
        await page.fill('#epochs', '1');
        await page.click('#train');
        await page.waitForFunction(() => (window as any).__trained || (window as any).__error, null, { timeout: 120_000 });
        await page.click('#save');
        await page.waitForSelector('#reload:not([disabled])');
        await page.click('#reload');
        await page.waitForFunction(() => (window as any).__reload || (window as any).__error, null, { timeout: 60_000 });
        const { trained, reload, error } = await page.evaluate(() => ({ trained: (window as any).__trained, reload: (window as any).__reload, error: (window as any).__error }));
        expect(error).toBeUndefined();
        expect(reload).toEqual({ maxDiff: 0, n: 359 });
        expect(trained.accuracy).toBeGreaterThan(0.5);
        accuracies.push(trained.accuracy);
        await drawOne(page);
        expect(errors).toEqual([]);
        await page.close();
      });
    }

    test('both bundles train the same seeded model', () => {
      expect(accuracies).toHaveLength(2);
      expect(accuracies[0]).toBe(accuracies[1]);
    });
  });
});
