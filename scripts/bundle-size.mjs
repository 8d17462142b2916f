// npm run size: what an app pays for rootgrad, bundled as a consumer bundles it (through package.json's
// "exports", "browser" condition and "sideEffects"). Four apps (scripts/size/*.js): minimal (init, tensor,
// matmul, relu, sum, a read), training (an MLP, the rooted loss, Adam), core (every export of rootgrad/core)
// and full (every export of rootgrad), each minified by esbuild and by Vite; prints raw and gzipped bytes.
// Needs `npm run build` first.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['minimal', 'training', 'core', 'full'];

/** Bytes and gzipped bytes of every .js file under dir. */
function jsSize(dir) {
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.js'));
  const bytes = files.map((f) => readFileSync(join(dir, String(f))));
  return { raw: bytes.reduce((a, b) => a + b.length, 0), gzip: bytes.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0) };
}

/** Sizes of each app with esbuild and Vite; `pkgDir` is the rootgrad package (default: this repository). */
export async function measure(pkgDir = root) {
  const work = mkdtempSync(join(tmpdir(), 'rootgrad-size-'));
  try {
    mkdirSync(join(work, 'node_modules'));
    symlinkSync(pkgDir, join(work, 'node_modules', 'rootgrad'), 'dir');
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'size-app', private: true, type: 'module' }));
    const out = {};
    for (const app of apps) {
      copyFileSync(join(root, 'scripts', 'size', `${app}.js`), join(work, `${app}.js`));
      await build({ entryPoints: [join(work, `${app}.js`)], outdir: join(work, 'esbuild', app), bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error', absWorkingDir: work });
      writeFileSync(join(work, `${app}.html`), `<!doctype html><script type="module" src="./${app}.js"></script>`);
      await viteBuild({ root: work, configFile: false, logLevel: 'error', build: { outDir: join(work, 'vite', app), emptyOutDir: true, target: 'es2022', rollupOptions: { input: join(work, `${app}.html`) } } });
      out[app] = { esbuild: jsSize(join(work, 'esbuild', app)), vite: jsSize(join(work, 'vite', app)) };
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const sizes = await measure();
  console.log('app        esbuild (min / gzip)      vite (min / gzip)');
  for (const [app, s] of Object.entries(sizes)) console.log(`${app.padEnd(10)} ${kb(s.esbuild.raw).padStart(9)} / ${kb(s.esbuild.gzip).padEnd(12)} ${kb(s.vite.raw).padStart(9)} / ${kb(s.vite.gzip)}`);
}
