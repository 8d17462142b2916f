// rootgrad/onnx for Node: loadOnnx also takes a file path, and external data is read from files beside it.
import '../node-core.js'; // Node's WebGPU provider, when rootgrad/onnx is imported without rootgrad
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { bytesOf, LOAD_ONNX_OPTIONS, loadOnnxBytes, type LoadOnnxOptions, type OnnxModel } from './model.js';
import { checkOptions } from '../options.js';

export { OnnxModel, type LoadOnnxOptions, type OnnxValueInfo } from './model.js';
export { registeredOps } from './ops/registry.js';
export { decodeTensor, HostVal } from './read.js';

export type OnnxSource = Uint8Array | ArrayBuffer | string;

/**
 * Loads an ONNX model from its bytes or a file path; with a path, external data ('location' relative to
 * the model's folder) is read from the files beside it. init() must have been called.
 */
export async function loadOnnx(source: OnnxSource, opts: LoadOnnxOptions = {}): Promise<OnnxModel> {
  checkOptions('loadOnnx', opts, LOAD_ONNX_OPTIONS);
  if (typeof source !== 'string') return loadOnnxBytes(bytesOf(source), opts);
  if (!existsSync(source)) throw new Error(`loadOnnx: no file '${source}'`);
  const dir = dirname(resolve(source));
  const read = (location: string): Uint8Array | undefined => {
    if (isAbsolute(location) || location.split(/[\\/]/).includes('..')) throw new Error(`loadOnnx: external data location '${location}' must be a relative path inside the model's folder`);
    const p = resolve(dir, location);
    return existsSync(p) ? readFileSync(p) : undefined;
  };
  return loadOnnxBytes(readFileSync(source), opts, read);
}
