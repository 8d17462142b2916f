// The Node entry of rootgrad/core: the core API plus WebGPU from the `webgpu` package (Dawn), loaded on first
// init(), and saving to files.
import { setGpuProvider } from './gpu.js';
import { nodeGpu } from './node-gpu.js';

setGpuProvider(nodeGpu);

export * from './core.js';
export { save, load, writeFileAtomic, fileStore } from './io/files.js';
