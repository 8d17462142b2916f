// Shape ops. reshape shares storage (every tensor is contiguous); permute and expand gather a strided
// view into a new contiguous tensor (strided_copy.wgsl), for f32 and i32 alike.
import { Tensor, empty } from '../tensor.js';
import { Params, rt } from '../runtime.js';
import { f64, stridedGather } from '../reference.js';
import { broadcastShapes, broadcastStrides, checkShape, normAxis, sameShape, shapeStr, sizeOf, stridesOf } from '../shape.js';
import type { Attrs, OpDef } from './def.js';
import { apply, view } from './apply.js';
import { sumTo } from './reduce.js';

function stridedCopy(x: Tensor, shape: readonly number[], strides: readonly number[]): Tensor {
  const y = empty(shape, x.dtype);
  if (!y.size) return y;
  const r = rt();
  const p = new Params().u(y.size, shape.length);
  shape.forEach((d, i) => p.u(d, strides[i]));
  r.dispatch(r.kernel('strided_copy'), [view(x), view(y)], p, r.groups1d(y.size, 256));
  return y;
}

export const movementDefs = {
  reshape: {
    forward([x], { shape }) {
      return new Tensor(x.storage('reshape').retain(), shape, x.dtype);
    },
    backward(g, _s, _a, [x]) {
      return [reshape(g, x.shape)];
    },
    reference([x], { shape }) {
      return f64(shape, x.data);
    },
  } satisfies OpDef<Attrs['reshape']>,

  permute: {
    forward([x], { perm }) {
      const st = stridesOf(x.shape);
      return stridedCopy(x, perm.map((p) => x.shape[p]), perm.map((p) => st[p]));
    },
    backward(g, _s, { perm }) {
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      return [permute(g, inv)];
    },
    reference([x], { perm }) {
      const st = stridesOf(x.shape);
      return stridedGather(x, perm.map((p) => x.shape[p]), perm.map((p) => st[p]));
    },
  } satisfies OpDef<Attrs['permute']>,

  expand: {
    forward([x], { shape }) {
      return stridedCopy(x, shape, broadcastStrides(x.shape, shape));
    },
    backward(g, _s, _a, [x]) {
      return [sumTo(g, x.shape)];
    },
    reference([x], { shape }) {
      return stridedGather(x, shape, broadcastStrides(x.shape, shape));
    },
  } satisfies OpDef<Attrs['expand']>,
};

/** A view with a new shape and the same elements; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const dims = [...shape];
  const free = dims.indexOf(-1);
  if (free >= 0) {
    if (dims.indexOf(-1, free + 1) >= 0) throw new Error(`reshape: only one dimension can be -1, got ${shapeStr(shape)}`);
    const rest = sizeOf(dims.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest) throw new Error(`reshape: cannot infer -1 in ${shapeStr(shape)} for ${x.size} elements (from ${shapeStr(x.shape)})`);
    dims[free] = x.size / rest;
  }
  checkShape('reshape', dims);
  if (sizeOf(dims) !== x.size) throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
  return apply('reshape', [x], { shape: dims });
}

/** Reorders the axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis('permute', a, x.ndim));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new Error(`permute: ${shapeStr(perm)} is not a permutation of the ${x.ndim} axes of ${shapeStr(x.shape)}`);
  }
  return apply('permute', [x], { perm: p });
}

/** Swaps two axes (by default the last two). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) throw new Error(`transpose: needs at least 2 dimensions, got ${shapeStr(x.shape)}`);
  const a = normAxis('transpose', dim0, x.ndim);
  const b = normAxis('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** Broadcasts x to `shape` (NumPy rules), materialised. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkShape('expand', shape);
  const out = broadcastShapes('expand', x.shape, shape);
  if (!sameShape(out, shape)) throw new Error(`expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return apply('expand', [x], { shape: [...shape] });
}
