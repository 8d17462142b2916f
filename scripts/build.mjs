// Builds dist/node/index.js (ESM for Node, `webgpu` external) and dist/browser/rootgrad.js (one ESM
// file, WGSL inlined, no Node built-ins; the minified one with its WGSL compacted), plus the CLI and type
// declarations' entry.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { compactWgslPlugin } from './compact-wgsl.mjs';
import { wgslOptions } from './shader-registry.mjs';
import { coreAs } from './onnx-external.mjs';

const common = { bundle: true, format: 'esm', ...wgslOptions, target: 'es2022', logLevel: 'warning', legalComments: 'none' };

// One shared chunk for the library and the command: a module file that `rootgrad audit --module` loads
// imports 'rootgrad' (dist/node/index.js) and must get the same Tensor class as the command.
rmSync('dist/node/chunks', { recursive: true, force: true });
await build({ ...common, entryPoints: { index: 'src/node.ts', cli: 'src/cli/main.ts', onnx: 'src/onnx/node.ts' }, outdir: 'dist/node', splitting: true, chunkNames: 'chunks/[name]-[hash]', platform: 'node', external: ['webgpu'], sourcemap: true });
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/browser/rootgrad.js', platform: 'browser', sourcemap: true });
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/browser/rootgrad.min.js', platform: 'browser', minify: true, plugins: [...wgslOptions.plugins, compactWgslPlugin] });

// rootgrad/onnx for browsers: its own file with the protobuf reader; the core is imported from the core
// bundle beside it (one Tensor class, one device), never bundled twice.
await build({ ...common, entryPoints: ['src/onnx/index.ts'], outfile: 'dist/browser/onnx.js', platform: 'browser', sourcemap: true, plugins: [...wgslOptions.plugins, coreAs('./rootgrad.js')] });
await build({ ...common, entryPoints: ['src/onnx/index.ts'], outfile: 'dist/browser/onnx.min.js', platform: 'browser', minify: true, plugins: [...wgslOptions.plugins, coreAs('./rootgrad.min.js')] });

// Type declarations for both entries (dist/types/src/node.d.ts, dist/types/src/index.d.ts).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// The generated protobuf decoders are JavaScript with hand-off declarations: copy those beside the rest.
mkdirSync('dist/types/src/onnx/proto', { recursive: true });
copyFileSync('src/onnx/proto/onnx.d.ts', 'dist/types/src/onnx/proto/onnx.d.ts');

const browser = readFileSync('dist/browser/rootgrad.js', 'utf8');
// A Node built-in is a quoted 'node:…' specifier; a property named node is fine.
for (const bad of [/["']node:\w/, /from\s*["']webgpu["']/]) {
  if (bad.test(browser)) throw new Error(`browser bundle must not reference ${bad} (a Node-only import)`);
}
const min = readFileSync('dist/browser/rootgrad.min.js');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/node/index.js            ${kb(statSync('dist/node/index.js').size)}`);
console.log(`dist/browser/rootgrad.js      ${kb(browser.length)}`);
console.log(`dist/browser/rootgrad.min.js  ${kb(min.length)} minified, ${kb(gzipSync(min).length)} gzipped`);
const onnxMin = readFileSync('dist/browser/onnx.min.js');
if (/["']node:\w/.test(onnxMin.toString())) throw new Error('browser ONNX bundle must not reference a Node built-in');
console.log(`dist/browser/onnx.min.js      ${kb(onnxMin.length)} minified, ${kb(gzipSync(onnxMin).length)} gzipped (rootgrad/onnx, on top of the core)`);
