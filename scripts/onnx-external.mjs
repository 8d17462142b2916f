// esbuild plugin for the browser builds of rootgrad/onnx: the core (src/core.ts, imported from src/onnx/
// as '../core.js' or '../../core.js') stays an import of the core bundle beside it (`file`), so that a
// page has one Tensor class and one device, and the core is never bundled twice.
export function coreAs(file) {
  return {
    name: 'core-external',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/(\.\.\/)?core\.js$/ }, (args) => (args.importer.includes('/src/onnx/') ? { path: file, external: true } : undefined));
    },
  };
}
