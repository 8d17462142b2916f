// Builds, for every entry in scripts/entries.mjs, dist/node/NAME.js (ESM for Node, `webgpu` external) and
// dist/browser/NAME.js (ESM, WGSL inlined, no Node built-ins; the minified NAME.min.js with its WGSL
// compacted), plus the CLI and the type declarations; and checks package.json's "exports" against the
// entries (`--write-exports` rewrites it).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { wgslOptions } from './shader-registry.mjs';
import { entries, exportsMap } from './entries.mjs';
import { buildBrowser } from './browser-build.mjs';

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
// The browser bundles: scripts/browser-build.mjs.
rmSync('dist/node/chunks', { recursive: true, force: true });
const split = { splitting: true, chunkNames: 'chunks/[name]-[hash]' };
const nodeEntries = Object.fromEntries([...entries.map((e) => [e.name, e.node]), ['cli', 'src/cli/main.ts']]);
await build({ ...common, ...split, entryPoints: nodeEntries, outdir: 'dist/node', platform: 'node', external: ['webgpu'], sourcemap: true });
await buildBrowser('dist/browser');

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
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`dist/node/index.js            ${kb(statSync('dist/node/index.js').size)}`);
// A browser file's size with the chunks it loads (dist/browser/chunks/), each gzipped as a server sends it.
const withChunks = (file) => {
  const files = new Set([file]);
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/from\s*"\.\/(chunks\/[\w.-]+\.js)"/g)) files.add(join('dist/browser', m[1]));
  const bytes = [...files].map((f) => readFileSync(f));
  return `${kb(bytes.reduce((a, b) => a + b.length, 0))} minified, ${kb(bytes.reduce((a, b) => a + gzipSync(b).length, 0))} gzipped`;
};
console.log(`dist/browser/core.min.js      ${withChunks('dist/browser/core.min.js')} (with its chunk; the budget is 100 KB gzipped)`);
console.log(`dist/browser/rootgrad.min.js  ${withChunks('dist/browser/rootgrad.min.js')} (every export: the core's chunk and the tools)`);
console.log(`dist/browser/onnx.min.js      ${withChunks('dist/browser/onnx.min.js')} (on top of core.min.js, which it imports)`);
