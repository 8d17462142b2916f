// The float64 reference backend: runs any function of tensors with every op's float64 reference
// (the `reference` of its OpDef) instead of its WGSL kernel. Same API, results exact to float64 rounding,
// slow. gradcheck uses it for finite differences; anyone can use it to check a computation.
//
// Tensors made inside are host values (Tensor.ref). GPU tensors used inside (a model's parameters)
// need a host value: pass them in `bindings`, or read them first with referenceValues().
import { referenceMode, Tensor, type DType } from './tensor.js';
import type { F64 } from './ops/def.js';

let bindings: Map<Tensor, F64> = new Map();

export type Backend = 'gpu' | 'reference';

/** Runs fn (synchronous) on the chosen backend. `values` gives GPU tensors their float64 values. */
export function withBackend<T>(backend: Backend, fn: () => T, values?: Map<Tensor, F64>): T {
  if (backend === 'gpu') {
    const prev = referenceMode.active;
    referenceMode.active = false;
    try {
      return fn();
    } finally {
      referenceMode.active = prev;
    }
  }
  const prevActive = referenceMode.active;
  const prevBindings = bindings;
  referenceMode.active = true;
  bindings = values ?? new Map();
  try {
    const out = fn();
    if (out instanceof Promise) throw new Error('withBackend: fn must be synchronous');
    return out;
  } finally {
    referenceMode.active = prevActive;
    bindings = prevBindings;
  }
}

export function isReferenceMode(): boolean {
  return referenceMode.active;
}

/** Thrown when a GPU tensor is used under the reference backend without a float64 value. */
export class MissingHostValue extends Error {
  constructor(
    readonly tensor: Tensor,
    op: string,
  ) {
    super(`${op}: tensor #${tensor.id} [${tensor.shape.join(', ')}] lives on the GPU and has no float64 value here: pass it in withBackend's values (see referenceValues)`);
  }
}

/** The float64 value of a tensor under the reference backend. */
export function hostValue(t: Tensor, op: string): F64 {
  if (t.ref) return t.ref;
  const b = bindings.get(t);
  if (b) return b;
  throw new MissingHostValue(t, op);
}

/**
 * Runs fn on the reference backend, reading any GPU tensor it turns out to need (data, labels, weights not
 * in `values`) and running it again, until it completes. `values` is extended in place.
 */
export async function runReference<T>(fn: () => T, values: Map<Tensor, F64>): Promise<T> {
  for (;;) {
    try {
      return withBackend('reference', fn, values);
    } catch (e) {
      if (!(e instanceof MissingHostValue) || values.has(e.tensor)) throw e;
      const t = e.tensor;
      values.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
    }
  }
}

/** A host tensor of the reference backend. */
export function refTensor(value: F64, dtype: DType = 'f32'): Tensor {
  return new Tensor(value, value.shape, dtype);
}

/** Reads GPU tensors into float64 values for withBackend('reference', fn, values). */
export async function referenceValues(tensors: Iterable<Tensor>): Promise<Map<Tensor, F64>> {
  const out = new Map<Tensor, F64>();
  for (const t of tensors) out.set(t, { shape: [...t.shape], data: Float64Array.from(await t.data()) });
  return out;
}

/**
 * The float64 result of fn on the reference backend, as float64: `{ shape, data: Float64Array }`. GPU
 * tensors fn reads are read back as needed (`values` is extended in place); a GPU tensor fn returns as is
 * (an identity) gives its float64 value.
 */
export async function referenceOutput(fn: () => Tensor, values: Map<Tensor, F64> = new Map()): Promise<F64> {
  const out = await runReference(fn, values);
  if (!(out instanceof Tensor)) throw new Error('referenceOutput: fn must return a Tensor');
  if (out.ref) return out.ref;
  const bound = values.get(out);
  if (bound) return bound;
  return { shape: [...out.shape], data: Float64Array.from(await out.data()) };
}
