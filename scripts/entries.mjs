// The package's entry points, in one list. Adding a subpath (rootgrad/onnx, say) is one entry here:
//   { subpath: './onnx', name: 'onnx', node: 'src/onnx/node.ts', browser: 'src/onnx/index.ts' }
// scripts/build.mjs then bundles it for Node (dist/node/NAME.js, sharing chunks with the other entries,
// so one Tensor class) and the browser (dist/browser/NAME.js, likewise), tsc writes its types (dist/types/…),
// and package.json's "exports" must equal exportsMap() below: the build fails while it differs, and
// `node scripts/build.mjs --write-exports` writes it. Every branch carries "types" (TypeScript's bundler
// resolution applies neither the browser nor the node condition; node16/nodenext applies node).

/** subpath: the export ("." is `rootgrad`); name: the bundles' file name; node/browser: the sources. */
export const entries = [
  { subpath: '.', name: 'index', browserName: 'rootgrad', node: 'src/node.ts', browser: 'src/index.ts' },
  // rootgrad/core: the engine alone (its budget: 100 KB gzipped); rootgrad is it plus the tools, sharing its chunk
  { subpath: './core', name: 'core', node: 'src/node-core.ts', browser: 'src/core.ts' },
  // browserImportsCore: the browser file imports ./core.js instead of sharing chunks with it
  { subpath: './onnx', name: 'onnx', node: 'src/onnx/node.ts', browser: 'src/onnx/index.ts', browserImportsCore: true },
];

/** Where tsc puts a source file's declarations (tsconfig.build.json: rootDir ".", outDir "dist/types"). */
const typesOf = (src) => './dist/types/' + src.replace(/\.ts$/, '.d.ts');

/** package.json "exports": per entry, the browser build for bundlers (and TypeScript's bundler mode), the
 * Node build for Node (and node16/nodenext); plus the shipped data files. */
export function exportsMap() {
  const map = {};
  for (const e of entries) {
    const browser = { types: typesOf(e.browser), default: `./dist/browser/${e.browserName ?? e.name}.js` };
    map[e.subpath] = {
      browser,
      node: { types: typesOf(e.node), default: `./dist/node/${e.name}.js` },
      types: browser.types,
      default: browser.default,
    };
  }
  map['./data/*'] = './data/*';
  map['./package.json'] = './package.json';
  return map;
}
