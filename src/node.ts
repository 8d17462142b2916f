// The Node entry: the public API plus WebGPU from the `webgpu` package (Dawn), loaded on first init().
import './node-core.js'; // sets Node's WebGPU provider

export * from './index.js';
export { save, load, writeFileAtomic, fileStore } from './io/files.js';
export { loadDataset, dataDir, builtinDatasets } from './data/files.js';
