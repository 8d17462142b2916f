// The Node entry: the public API plus WebGPU from the `webgpu` package (Dawn), loaded on first init().
import { setGpuProvider } from './gpu.js';
import { nodeGpu } from './node-gpu.js';

setGpuProvider(nodeGpu);

export * from './index.js';
export { save, load, writeFileAtomic } from './io/files.js';
export { loadDataset, dataDir, builtinDatasets } from './data/files.js';
export { fileStore } from './io/files.js';
