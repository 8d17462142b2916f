// Shape ops. reshape shares storage (every tensor is contiguous); permute and expand gather a strided
// view into a new contiguous tensor (strided_copy.wgsl), for f32 and i32 alike.
import { Tensor, empty, tensorMethods, hooks } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64, stridedGather } from '../reference.js';
import { broadcastShapes, broadcastStrides, checkShape, normAxis, sameShape, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, view } from './apply.js';
import { sumTo } from './reduce.js';
import stridedCopyWgsl from '../../shaders/strided_copy.wgsl';
import transpose4x4Wgsl from '../../shaders/transpose_4x4.wgsl';
import transposeBlocksWgsl from '../../shaders/transpose_blocks.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface MovementAttrs {
  reshape: { shape: number[] };
  permute: { perm: number[] };
  expand: { shape: number[] };
}
declare module './def.js' {
  interface Attrs extends MovementAttrs {}
}

const STRIDED_COPY = /* @__PURE__ */ defineKernel(stridedCopyWgsl, { n: 'u32', rank: 'u32', dims: 'u32[]' }, { X: 'read u32', Y: 'read_write u32' });
const TRANSPOSE_4X4 = /* @__PURE__ */ defineKernel(transpose4x4Wgsl, { R: 'u32', C: 'u32' }, { X: 'read vec4<u32>', Y: 'read_write vec4<u32>' });
const TRANSPOSE_BLOCKS = /* @__PURE__ */ defineKernel(transposeBlocksWgsl, { n: 'u32', R: 'u32', C: 'u32', inner: 'u32' }, { X: 'read {{WORD}}', Y: 'read_write {{WORD}}' });

function stridedCopy(x: Tensor, shape: readonly number[], strides: readonly number[]): Tensor {
  const y = empty(shape, x.dtype);
  if (!y.size) return y;
  const r = rt();
  const dims = shape.flatMap((d, i) => [d, strides[i]]);
  r.run(STRIDED_COPY, {}, { X: view(x), Y: view(y) }, { n: y.size, rank: shape.length, dims }, r.groups1d(y.size, 256));
  return y;
}

/** A permutation that, once size-1 axes are dropped and axes that stay together are merged, swaps two
 * neighbouring groups of axes: input [batch, R, C, inner] -> output [batch, C, R, inner]. Null otherwise. */
export function swapPlan(shape: readonly number[], perm: readonly number[]): { batch: number; R: number; C: number; inner: number } | null {
  const keep = perm.filter((p) => shape[p] !== 1);
  const rank = [...keep].sort((a, b) => a - b);
  const q = keep.map((p) => rank.indexOf(p)); // the permutation of the non-trivial axes, renumbered
  const sizes = rank.map((p) => shape[p]);
  // merge runs of consecutive input axes in output order into groups
  const groups: number[][] = [];
  for (const a of q) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === a) g.push(a);
    else groups.push([a]);
  }
  const order = groups.map((g) => g[0]);
  const size = (g: number[]) => g.reduce((s, a) => s * sizes[a], 1);
  const sorted = [...groups].sort((a, b) => a[0] - b[0]); // input order
  const pos = (g: number[]) => sorted.indexOf(g);
  const o = order.map((_, i) => pos(groups[i]));
  const is = (want: number[]) => o.length === want.length && o.every((v, i) => v === want[i]);
  const sz = sorted.map(size);
  if (is([1, 0])) return { batch: 1, R: sz[0], C: sz[1], inner: 1 };
  if (is([0, 2, 1])) return { batch: sz[0], R: sz[1], C: sz[2], inner: 1 };
  if (is([1, 0, 2])) return { batch: 1, R: sz[0], C: sz[1], inner: sz[2] };
  if (is([0, 2, 1, 3])) return { batch: sz[0], R: sz[1], C: sz[2], inner: sz[3] };
  return null;
}

/** permute through the cheapest kernel that does it: 4x4 blocks, a swap of inner blocks, or the general gather. */
function permuteCopy(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]);
  const plan = swapPlan(x.shape, perm);
  if (plan && x.size) {
    const { batch, R, C, inner } = plan;
    const r = rt();
    const y = empty(shape, x.dtype);
    if (inner === 1 && R % 4 === 0 && C % 4 === 0 && batch <= 65535 && C / 4 <= 65535 * 8 && R / 4 <= 65535 * 8) {
      r.run(TRANSPOSE_4X4, {}, { X: view(x), Y: view(y) }, { R, C }, [Math.ceil(C / 32), Math.ceil(R / 32), batch]);
      return y;
    }
    const vec = inner % 4 === 0;
    const w = vec ? 4 : 1;
    const n = x.size / w;
    r.run(TRANSPOSE_BLOCKS, { WORD: vec ? 'vec4<u32>' : 'u32' }, { X: view(x), Y: view(y) }, { n, R, C, inner: inner / w }, r.groups1d(n, 256));
    return y;
  }
  const st = stridesOf(x.shape);
  return stridedCopy(x, shape, perm.map((p) => st[p]));
}

export const movementDefs: Ops<keyof MovementAttrs> = /* @__PURE__ */ defineOps(() => ({
  reshape: {
    infer([x], { shape }) {
      return { shape, dtype: x.dtype }; // reshape() resolved -1 and checked the size
    },
    forward([x], { shape }) {
      // The same storage: labels stay host-known through a reshape (the host copy is the storage's).
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
    infer([x], { perm }) {
      return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype }; // permute() checked perm
    },
    forward([x], { perm }) {
      return permuteCopy(x, perm);
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
    infer([x], { shape }) {
      return { shape, dtype: x.dtype }; // expand() checked that x broadcasts to shape
    },
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
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  reshape: { ops: true },
  permute: { ops: true },
  expand: { ops: true },
}));

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
  return apply(movementDefs.reshape, [x], { shape: dims });
}

/** fn on the 0-d tensors of xs seen as [1], its result back as 0-d: an axis op of a 0-d tensor (axis 0 or
 * -1) works on an axis of size 1, as PyTorch's. */
export function onScalarAxis(xs: Tensor[], fn: (ys: Tensor[]) => Tensor): Tensor {
  const ys = xs.map((t) => (t.ndim === 0 ? reshape(t, [1]) : t));
  const y = fn(ys);
  const out = reshape(y, []);
  y.dispose();
  ys.forEach((t, i) => t !== xs[i] && t.dispose());
  return out;
}

/** Reorders the axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis('permute', a, x.ndim));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new Error(`permute: ${shapeStr(perm)} is not a permutation of the ${x.ndim} axes of ${shapeStr(x.shape)}`);
  }
  return apply(movementDefs.permute, [x], { perm: p });
}

/** Swaps two axes (by default the last two). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) throw new Error(`transpose: needs at least 2 dimensions, got ${shapeStr(x.shape)}`);
  const a = normAxis('transpose', dim0, x.ndim);
  const b = normAxis('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** Broadcasts x to `shape` (NumPy rules), materialised; -1 keeps an existing axis's size (PyTorch's). */
export function expand(x: Tensor, target: readonly number[]): Tensor {
  const lead = target.length - x.ndim;
  const shape = target.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  checkShape('expand', shape);
  const out = broadcastShapes('expand', x.shape, shape);
  if (!sameShape(out, shape)) throw new Error(`expand: cannot expand ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return apply(movementDefs.expand, [x], { shape: [...shape] });
}

// Tensor methods (a.reshape(...) reads as reshape(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    reshape(shape: readonly number[]): Tensor;
    permute(perm: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    expand(shape: readonly number[]): Tensor;
  }
}
hooks.view = (t) => reshape(t, t.shape);
tensorMethods({
  reshape(shape: readonly number[]) { return reshape(this, shape); },
  permute(perm: readonly number[]) { return permute(this, perm); },
  transpose(d0?: number, d1?: number) { return transpose(this, d0, d1); },
  expand(shape: readonly number[]) { return expand(this, shape); },
});
