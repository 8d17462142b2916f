// WGSL without comments and indentation, for the minified browser bundle (the kernels' commentary is a
// third of the bundle otherwise). WGSL has no string literals, so `//` always starts a comment; the
// kernels use no block comments (refused here rather than mangled).
import { readFileSync } from 'node:fs';

export function compactWgsl(src) {
  if (src.includes('/*')) throw new Error('compactWgsl: block comments are not supported');
  return src
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .join('\n');
}

/** An esbuild plugin that loads every .wgsl file compacted. */
export const compactWgslPlugin = {
  name: 'compact-wgsl',
  setup(b) {
    b.onLoad({ filter: /\.wgsl$/ }, (args) => ({ contents: compactWgsl(readFileSync(args.path, 'utf8')), loader: 'text' }));
  },
};
