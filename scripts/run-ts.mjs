// Runs a TypeScript entry (a benchmark, an example) by bundling it with esbuild first: no ts-node needed.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wgslOptions } from './shader-registry.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args...]');
  process.exit(2);
}
// --help: the entry's own header (its leading // comment: usage, flags, what it writes), without running it
if (args.includes('--help')) {
  const header = [];
  for (const line of readFileSync(entry, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    header.push(line.replace(/^\/\/ ?/, ''));
  }
  console.log(header.length ? header.join('\n') : `${entry}: no header comment to show`);
  process.exit(0);
}
const outdir = resolve('node_modules/.cache/rootgrad-run');
mkdirSync(outdir, { recursive: true });
const outfile = resolve(outdir, basename(entry).replace(/\.ts$/, '.mjs'));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  ...wgslOptions,
  external: ['webgpu', 'playwright-core', '@jax-js/*'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
