// rootgrad/onnx: ONNX models as rootgrad modules (browser entry; src/onnx/node.ts adds file paths).
// Built as its own bundle on top of the core one; the protobuf reader lives here, not in the core.
import { bytesOf, LOAD_ONNX_OPTIONS, loadOnnxBytes, type LoadOnnxOptions, type OnnxModel } from './model.js';
import { checkOptions } from '../options.js';

export { OnnxModel, type LoadOnnxOptions, type OnnxValueInfo } from './model.js';
export { registeredOps } from './ops/registry.js';
export { decodeTensor, HostVal } from './read.js';

/** What loadOnnx reads: the model's bytes, or in browsers a URL or a fetch Response. */
export type OnnxSource = Uint8Array | ArrayBuffer | string | URL | Response;

/**
 * Loads an ONNX model: decoded and validated on the host (unknown ops, dangling inputs, cycles and bad
 * dims are errors before anything is allocated on the GPU), then its float initializers are uploaded once
 * as parameters. init() must have been called.
 */
export async function loadOnnx(source: OnnxSource, opts: LoadOnnxOptions = {}): Promise<OnnxModel> {
  checkOptions('loadOnnx', opts, LOAD_ONNX_OPTIONS);
  if (typeof source === 'string' || source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`loadOnnx: fetching ${String(source)} failed: ${res.status} ${res.statusText}`);
    source = res;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) source = new Uint8Array(await source.arrayBuffer());
  return loadOnnxBytes(bytesOf(source as Uint8Array | ArrayBuffer), opts);
}
