// esbuild plugin for the browser builds of rootgrad/onnx: the core (src/index.ts, imported from src/onnx/
// as '../index.js' or '../../index.js') stays an import of the core bundle beside it (`file`), so that a
// page has one Tensor class and one device, and the core is never bundled twice.
export function coreAs(file) {
  return {
    name: 'core-external',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/(\.\.\/)?index\.js$/ }, (args) => (args.importer.includes('/src/onnx/') ? { path: file, external: true } : undefined));
    },
  };
}
