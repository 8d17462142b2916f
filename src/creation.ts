// Making tensors: from host data, constants (fill.wgsl, no upload), ranges, and seeded random values.
import { empty, hooks, Tensor, type DType } from './tensor.js';
import { Params, rt } from './runtime.js';
import { defineKernel } from './kernel.js';
import { checkShape, shapeStr, sizeOf } from './shape.js';
import { globalGenerator } from './random.js';
import { view } from './ops/apply.js';
import { isReferenceMode, refTensor } from './backend.js';
import { checkOptions } from './options.js';
import fillWgsl from '../shaders/fill.wgsl';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type Nested = number | boolean | Nested[];
export type TensorData = Nested | Float32Array | Int32Array | Float64Array | Uint8Array | readonly number[];

function flatten(data: Nested, shape: number[], out: number[], depth = 0): void {
  if (Array.isArray(data)) {
    if (shape.length <= depth) shape.push(data.length);
    else if (shape[depth] !== data.length) throw new Error(`tensor: ragged nested array (length ${data.length} where ${shape[depth]} was expected at depth ${depth})`);
    for (const d of data) flatten(d, shape, out, depth + 1);
  } else {
    if (shape.length !== depth) throw new Error(`tensor: ragged nested array (a number at depth ${depth}, arrays elsewhere)`);
    if (typeof data === 'boolean') return void out.push(data ? 1 : 0);
    if (typeof data !== 'number') throw new Error(`tensor: expected numbers or booleans, got ${typeof data}`);
    out.push(data);
  }
}

/** Uploads host values into a new tensor. */
export function fromHost(values: ArrayLike<number>, shape: readonly number[], dtype: DType, requiresGrad = false): Tensor {
  const n = sizeOf(shape);
  if (values.length !== n) throw new Error(`tensor: ${values.length} values do not fill shape ${shapeStr(shape)} (${n} elements)`);
  const arr = dtype === 'f32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (dtype === 'i32' && !Number.isInteger(v)) throw new Error(`tensor: i32 values must be integers, got ${v} at position ${i}`);
    if (dtype === 'bool' && v !== 0 && v !== 1) throw new Error(`tensor: bool values must be 0 or 1 (or true/false), got ${v} at position ${i}`);
    arr[i] = v;
  }
  if (isReferenceMode()) return refTensor({ shape: [...shape], data: Float64Array.from(arr) }, dtype);
  const t = empty(shape, dtype);
  if (n) rt().upload(t.storage().view(n * 4), arr);
  if (dtype !== 'f32') t.host = arr as Int32Array;
  t.requiresGrad = requiresGrad;
  return t;
}

/** A tensor from a number, (nested) array or typed array; shape defaults to the data's own. */
export function tensor(data: TensorData, shape?: readonly number[], opts: TensorOptions = {}): Tensor {
  checkOptions('tensor', opts, ['dtype', 'requiresGrad']);
  let values: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    values = data as ArrayLike<number>;
    inferred = [values.length];
  } else {
    const flat: number[] = [];
    inferred = [];
    flatten(data as Nested, inferred, flat);
    values = flat;
  }
  const s = shape ? [...shape] : inferred;
  checkShape('tensor', s);
  const leaf = (d: unknown): unknown => (Array.isArray(d) ? leaf(d[0]) : d);
  const dtype = opts.dtype ?? (data instanceof Int32Array ? 'i32' : typeof leaf(data) === 'boolean' ? 'bool' : 'f32');
  return fromHost(values, s, dtype, opts.requiresGrad ?? false);
}

/** Fills with one 32-bit word (value); with STEP, value is the f32 bits of start and y[i] = start + i * step. */
export const FILL = /* @__PURE__ */ defineKernel(fillWgsl, { n: 'u32', value: 'u32', step: 'f32' }, { Y: 'read_write u32' });

/** The 32-bit pattern of an f32 or i32 value. */
export function wordOf(value: number, dtype: DType): number {
  return (dtype === 'f32' ? new Params().f(value) : new Params().i(value)).words[0];
}

function fillWord(shape: readonly number[], dtype: DType, word: number, requiresGrad: boolean): Tensor {
  checkShape('full', shape);
  if (isReferenceMode()) {
    const v = dtype === 'f32' ? new Float32Array(new Uint32Array([word]).buffer)[0] : new Int32Array([word])[0];
    return refTensor({ shape: [...shape], data: new Float64Array(sizeOf(shape)).fill(v) }, dtype);
  }
  const t = empty(shape, dtype);
  if (t.size) {
    const r = rt();
    r.run(FILL, { STEP: 'false', DTYPE: 'f32' }, { Y: view(t) }, { n: t.size, value: word, step: 0 }, r.groups1d(t.size, 256));
  }
  t.requiresGrad = requiresGrad;
  return t;
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkOptions('full', opts, ['dtype', 'requiresGrad']);
  const dtype = opts.dtype ?? 'f32';
  if (dtype === 'i32' && !Number.isInteger(value)) throw new Error(`full: i32 value must be an integer, got ${value}`);
  if (dtype === 'bool' && value !== 0 && value !== 1) throw new Error(`full: a bool value must be 0 or 1, got ${value}`);
  return fillWord(shape, dtype, wordOf(value, dtype), opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  checkOptions('zeros', opts, ['dtype', 'requiresGrad']);
  return full(shape, 0, opts);
}
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  checkOptions('ones', opts, ['dtype', 'requiresGrad']);
  return full(shape, 1, opts);
}

/** start, start + step, ... below end (NumPy's arange); arange(n) is 0..n-1. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  checkOptions('arange', opts, ['dtype', 'requiresGrad']);
  if (end === undefined) [start, end] = [0, start];
  if (!step || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? (Number.isInteger(start) && Number.isInteger(step) && opts.dtype !== 'f32' ? 'i32' : 'f32');
  if (dtype === 'i32' || isReferenceMode()) return fromHost(Array.from({ length: n }, (_, i) => start! + i * step), [n], dtype, false);
  const t = empty([n], 'f32');
  if (n) {
    const r = rt();
    r.run(FILL, { STEP: 'true', DTYPE: 'f32' }, { Y: view(t) }, { n, value: wordOf(start, 'f32'), step }, r.groups1d(n, 256));
  }
  t.requiresGrad = opts.requiresGrad ?? false;
  return t;
}

/** Uniform values in [low, high) from the seeded generator. */
export function rand(shape: readonly number[], opts: TensorOptions & { low?: number; high?: number } = {}): Tensor {
  checkOptions('rand', opts, ['dtype', 'requiresGrad', 'low', 'high']);
  checkShape('rand', shape);
  const { low = 0, high = 1 } = opts;
  const v = new Float32Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = low + (high - low) * globalGenerator.uniform();
  return fromHost(v, shape, 'f32', opts.requiresGrad ?? false);
}

/** Normal values (mean 0, std 1 unless given) from the seeded generator. */
export function randn(shape: readonly number[], opts: TensorOptions & { mean?: number; std?: number } = {}): Tensor {
  checkOptions('randn', opts, ['dtype', 'requiresGrad', 'mean', 'std']);
  checkShape('randn', shape);
  const { mean = 0, std = 1 } = opts;
  const v = new Float32Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = mean + std * globalGenerator.normal();
  return fromHost(v, shape, 'f32', opts.requiresGrad ?? false);
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape);
}

/** backward()'s seed: ones shaped like the root, their fill deferred until a backward rule reads them. A fused
 * loss, the usual root, scales the gradient it saved by a unit seed without reading it (src/ops/losses.ts
 * scaleGrad): a training step then dispatches one kernel fewer. */
function seedOnes(t: Tensor): Tensor {
  if (isReferenceMode() || !t.size) return ones(t.shape);
  const seed = empty(t.shape);
  const storage = seed.storage();
  const n = t.size;
  // The storage, not the seed: a view of the seed may be what first reads it, after the seed is disposed.
  storage.init = () => {
    const r = rt();
    r.run(FILL, { STEP: 'false', DTYPE: 'f32' }, { Y: storage.view(n * 4) }, { n, value: wordOf(1, 'f32'), step: 0 }, r.groups1d(n, 256));
  };
  return seed;
}
hooks.seedOnes = seedOnes;

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

