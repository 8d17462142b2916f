// WGSL files as modules, made at build time: `import file from '../../shaders/x.wgsl'` gives
// `{ name: 'x', source, includes }`, where `includes` are the modules of the files its `#include "y.wgsl"`
// lines name (imported, so a bundler keeps a shared helper once and drops every kernel no op imports).
// An include whose name is a define (`#include "{{LOSS}}.wgsl"`) is resolved at pipeline creation from the
// files registered by then (src/shaders.ts). One plugin for esbuild (the builds, run-ts, the tests' bundles)
// and one for vite (vitest); `compact` strips comments and indentation (scripts/compact-wgsl.mjs).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compactWgsl } from './compact-wgsl.mjs';

const INCLUDE = /^#include "([\w-]+)\.wgsl"\s*$/gm;

/** The JavaScript module of a .wgsl file's text. */
export function wgslModule(path, text, compact = false) {
  const names = [...new Set([...text.matchAll(INCLUDE)].map((m) => m[1]))];
  const lines = names.map((n, i) => `import i${i} from ${JSON.stringify(`./${n}.wgsl`)};`);
  const source = compact ? compactWgsl(text) : text;
  // a template literal, as esbuild's text loader writes: its newlines stay one byte in the bundle
  const literal = '`' + source.replace(/[\\`]|\$\{/g, (c) => '\\' + c) + '`';
  lines.push(`export default { name: ${JSON.stringify(basename(path, '.wgsl'))}, source: ${literal}, includes: [${names.map((_, i) => `i${i}`).join(', ')}] };`);
  return lines.join('\n');
}

/** esbuild: every .wgsl file as a module (compacted when `compact`). */
export function wgslPlugin(compact = false) {
  return {
    name: compact ? 'rootgrad-wgsl-compact' : 'rootgrad-wgsl',
    setup(b) {
      b.onLoad({ filter: /\.wgsl$/ }, (args) => ({ contents: wgslModule(args.path, readFileSync(args.path, 'utf8'), compact), loader: 'js' }));
    },
  };
}

/** vite (vitest): the same modules. */
export function wgslVite() {
  return {
    name: 'rootgrad-wgsl',
    transform(code, id) {
      if (id.endsWith('.wgsl')) return { code: wgslModule(id, code), map: null };
    },
  };
}

/** The esbuild options every bundle of rootgrad needs: WGSL files as modules. */
export const wgslOptions = { plugins: [wgslPlugin()] };
