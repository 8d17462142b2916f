// Builds, for every entry in scripts/entries.mjs, dist/node/NAME.js (ESM for Node, `webgpu` external) and
// dist/browser/NAME.js (ESM, WGSL inlined, no Node built-ins; the minified NAME.min.js with its WGSL
// compacted), plus the CLI and the type declarations; and checks package.json's "exports" against the
// entries (`--write-exports` rewrites it).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { wgslOptions, wgslPlugin } from './shader-registry.mjs';
import { entries, exportsMap } from './entries.mjs';
import { coreAs } from './onnx-external.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (JSON.stringify(pkg.exports) !== JSON.stringify(exportsMap())) {
  if (!process.argv.includes('--write-exports')) {
    throw new Error(`package.json "exports" differs from scripts/entries.mjs; run node scripts/build.mjs --write-exports, or set it to:\n${JSON.stringify(exportsMap(), null, 2)}`);
  }
  pkg.exports = exportsMap();
  writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
}

const common = { bundle: true, format: 'esm', ...wgslOptions, target: 'es2022', logLevel: 'warning', legalComments: 'none' };

// One shared chunk for the library and the command: a module file that `rootgrad audit --module` loads
// imports 'rootgrad' (dist/node/index.js) and must get the same Tensor class as the command.
// The browser entries likewise share chunks (with one entry there are none: one file).
rmSync('dist/node/chunks', { recursive: true, force: true });
rmSync('dist/browser/chunks', { recursive: true, force: true });
const split = { splitting: true, chunkNames: 'chunks/[name]-[hash]' };
const nodeEntries = Object.fromEntries([...entries.map((e) => [e.name, e.node]), ['cli', 'src/cli/main.ts']]);
const browserEntries = Object.fromEntries(entries.filter((e) => !e.browserImportsCore).map((e) => [e.browserName ?? e.name, e.browser]));
await build({ ...common, ...split, entryPoints: nodeEntries, outdir: 'dist/node', platform: 'node', external: ['webgpu'], sourcemap: true });
// The browser files carry their WGSL compacted (no comments or indentation: test/compact.test.ts checks the
// same bits), the readable one too, because it is what an app's bundler takes in: the kernels' commentary
// was a third of every app's bundle. The kernels' commented sources are in shaders/ and src/ (shipped).
const compacted = { plugins: [wgslPlugin(true)] };
await build({ ...common, ...split, ...compacted, entryPoints: browserEntries, outdir: 'dist/browser', platform: 'browser', sourcemap: true });
await build({ ...common, ...split, ...compacted, entryPoints: browserEntries, outdir: 'dist/browser', entryNames: '[name].min', platform: 'browser', minify: true });
// An entry with browserImportsCore (rootgrad/onnx) is its own file that imports the core bundle beside it
// (./rootgrad.js, or ./rootgrad.min.js from the minified one): one Tensor class and one device in a page, the
// core never bundled twice, and rootgrad.js stays one file.
for (const e of entries.filter((e) => e.browserImportsCore)) {
  for (const [suffix, extra] of [['', { sourcemap: true }], ['.min', { minify: true }]]) {
    await build({ ...common, ...extra, entryPoints: [e.browser], outfile: `dist/browser/${e.name}${suffix}.js`, platform: 'browser', plugins: [...compacted.plugins, coreAs(`./rootgrad${suffix}.js`)] });
  }
}

// Type declarations for both entries (dist/types/src/node.d.ts, dist/types/src/index.d.ts).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// The generated protobuf decoders are JavaScript with hand-written declarations: copy those beside the rest.
mkdirSync('dist/types/src/onnx/proto', { recursive: true });
copyFileSync('src/onnx/proto/onnx.d.ts', 'dist/types/src/onnx/proto/onnx.d.ts');

const browserFiles = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? browserFiles(join(dir, f.name)) : f.name.endsWith('.js') ? [join(dir, f.name)] : []));
// A Node built-in is a quoted 'node:…' specifier; a property named node is fine.
for (const file of browserFiles('dist/browser')) {
  const text = readFileSync(file, 'utf8');
  for (const bad of [/["']node:\w/, /from\s*["']webgpu["']/]) {
    if (bad.test(text)) throw new Error(`${file} must not reference ${bad} (a Node-only import)`);
  }
}
const browser = readFileSync('dist/browser/rootgrad.js', 'utf8');
const min = readFileSync('dist/browser/rootgrad.min.js');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/node/index.js            ${kb(statSync('dist/node/index.js').size)}`);
console.log(`dist/browser/rootgrad.js      ${kb(browser.length)}`);
console.log(`dist/browser/rootgrad.min.js  ${kb(min.length)} minified, ${kb(gzipSync(min).length)} gzipped`);
const onnxMin = readFileSync('dist/browser/onnx.min.js');
console.log(`dist/browser/onnx.min.js      ${kb(onnxMin.length)} minified, ${kb(gzipSync(onnxMin).length)} gzipped (imports rootgrad.min.js)`);
