// WGSL without comments and indentation, for the minified browser bundle (the kernels' commentary is a
// third of the bundle otherwise). WGSL has no string literals, so `//` always starts a comment; the
// kernels use no block comments (refused here rather than mangled).
export function compactWgsl(src) {
  if (src.includes('/*')) throw new Error('compactWgsl: block comments are not supported');
  return src
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .join('\n');
}
