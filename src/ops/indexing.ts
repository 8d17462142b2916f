// Indexing by i32 index tensors: indexSelect (index_select.wgsl, backward index_select_backward.wgsl),
// gather (gather.wgsl) and scatterAdd (scatter_add.wgsl, also gather's backward). Deterministic: every
// output element adds its own contributions in a fixed order, no float atomics. PyTorch's semantics.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { zeros } from '../creation.js';
import { f64, reductionView } from '../reference.js';
import { normAxis, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { checkIndices, hostRows } from './gather.js';
import { pad } from './joining.js';
import { onScalarAxis, permute, reshape, transpose } from './movement.js';
import indexSelectWgsl from '../../shaders/index_select.wgsl';
import indexSelectBackwardWgsl from '../../shaders/index_select_backward.wgsl';
import gatherWgsl from '../../shaders/gather.wgsl';
import scatterAddWgsl from '../../shaders/scatter_add.wgsl';
import { matmul } from './matmul.js';
import { oneHot } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface IndexingAttrs {
  indexSelect: { axis: number };
  gather: { axis: number };
  scatterAdd: { axis: number };
}
declare module './def.js' {
  interface Attrs extends IndexingAttrs {}
}

const INDEX_SELECT = /* @__PURE__ */ defineKernel(indexSelectWgsl, { outer: 'u32', R: 'u32', inner: 'u32', k: 'u32' }, { X: 'read u32', IDX: 'read i32', Y: 'read_write u32' });
const INDEX_SELECT_BACKWARD = /* @__PURE__ */ defineKernel(indexSelectBackwardWgsl, { outer: 'u32', R: 'u32', inner: 'u32', k: 'u32' }, { G: 'read f32', IDX: 'read i32', DX: 'read_write f32' });
const GATHER = /* @__PURE__ */ defineKernel(gatherWgsl, { n: 'u32', rank: 'u32', axis: 'u32', size: 'u32', dims: 'u32[]' }, { X: 'read u32', IDX: 'read i32', Y: 'read_write u32' });
const SCATTER_ADD = /* @__PURE__ */ defineKernel(scatterAddWgsl, { n: 'u32', rank: 'u32', axis: 'u32', dims: 'u32[]' }, { X: 'read f32', IDX: 'read i32', SRC: 'read f32', Y: 'read_write f32' });

/** g summed back into x's shape at the index positions (gather's backward; scatterAdd without a base);
 * with `replace`, torch.scatter's copy (scatter.ts). */
export function scatterAddKernel(base: Tensor | null, shape: readonly number[], axis: number, index: Tensor, src: Tensor, replace = false): Tensor {
  const y = empty(shape);
  if (!y.size) return y;
  const si = stridesOf(index.shape);
  const ss = stridesOf(src.shape);
  const dims = shape.flatMap((d, i) => [d, index.shape[i], si[i], ss[i]]);
  const r = rt();
  r.run(SCATTER_ADD, { BASE: String(!!base), REPLACE: String(replace) }, { X: view(base ?? src), IDX: view(index), SRC: view(src), Y: view(y) }, { n: y.size, rank: shape.length, axis, dims }, r.groups1d(y.size, 256));
  return y;
}

function checkIndexShape(op: string, x: Tensor, axis: number, index: Tensor, what = 'index'): void {
  checkDType(op, index, 'i32', what);
  if (index.ndim !== x.ndim) throw new Error(`${op}: ${what} must have as many dimensions as the input (${x.ndim}), got ${shapeStr(index.shape)} for ${shapeStr(x.shape)}`);
  index.shape.forEach((d, i) => {
    if (i !== axis && d > x.shape[i]) throw new Error(`${op}: ${what} ${shapeStr(index.shape)} is larger than the input ${shapeStr(x.shape)} on axis ${i}`);
  });
}

/** Reference helper: visits each multi-index of `shape` with its flat position. */
function eachIndex(shape: readonly number[], f: (c: number[], i: number) => void): void {
  const c = shape.map(() => 0);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    f(c, i);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++c[d] < shape[d]) break;
      c[d] = 0;
    }
  }
}
const at = (c: number[], strides: readonly number[]) => c.reduce((s, v, d) => s + v * strides[d], 0);

export const indexingDefs: Ops<keyof IndexingAttrs> = /* @__PURE__ */ defineOps(() => ({
  indexSelect: {
    infer([x, index], { axis }) {
      checkDType('indexSelect', index, 'i32', 'index');
      if (index.ndim !== 1) throw new Error(`indexSelect: index must be 1-D, got ${shapeStr(index.shape)}`);
      checkIndices('indexSelect', index, x.shape[axis], 'index');
      return { shape: x.shape.map((d, i) => (i === axis ? index.size : d)), dtype: x.dtype };
    },
    indexBounds: ([x], { axis }) => [[1, x.shape[axis]]],
    forward([x, index], { axis }, save) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const y = empty(x.shape.map((d, i) => (i === axis ? index.size : d)), x.dtype);
      if (y.size) {
        const r = rt();
        r.run(INDEX_SELECT, {}, { X: view(x), IDX: view(index), Y: view(y) }, { outer, R, inner, k: index.size }, r.groups1d(y.size, 256));
      }
      save(index);
      return y;
    },
    backward(g, [index], { axis }, [x]) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const dx = empty(x.shape);
      if (!dx.size) return [dx, null];
      const r = rt();
      const params = { outer, R, inner, k: index.size };
      if (index.host && index.size) {
        const rows = hostRows(index, R);
        r.run(INDEX_SELECT_BACKWARD, { ROWS: 'true' }, { G: view(g), IDX: view(rows), DX: view(dx) }, params, r.groups1d(dx.size, 256));
        rows.dispose();
      } else {
        r.run(INDEX_SELECT_BACKWARD, { ROWS: 'false' }, { G: view(g), IDX: view(index), DX: view(dx) }, params, r.groups1d(dx.size, 256));
      }
      return [dx, null];
    },
    reference([x, index], { axis }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const k = index.data.length;
      const out = f64(x.shape.map((d, i) => (i === axis ? k : d)));
      for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) out.data[(o * k + j) * inner + i] = x.data[(o * R + index.data[j]) * inner + i];
      return out;
    },
  } satisfies OpDef<Attrs['indexSelect']>,

  gather: {
    infer([x, index], { axis }) {
      checkIndexShape('gather', x, axis, index);
      checkIndices('gather', index, x.shape[axis], 'index');
      return { shape: index.shape, dtype: x.dtype };
    },
    indexBounds: ([x], { axis }) => [[1, x.shape[axis]]],
    forward([x, index], { axis }, save) {
      const y = empty(index.shape, x.dtype);
      if (y.size) {
        const sx = stridesOf(x.shape);
        const dims = index.shape.flatMap((d, i) => [d, sx[i]]);
        const r = rt();
        r.run(GATHER, {}, { X: view(x), IDX: view(index), Y: view(y) }, { n: y.size, rank: x.ndim, axis, size: x.shape[axis], dims }, r.groups1d(y.size, 256));
      }
      save(index);
      return y;
    },
    backward(g, [index], { axis }, [x]) {
      return [scatterAddKernel(null, x.shape, axis, index, g), null];
    },
    reference([x, index], { axis }) {
      const sx = stridesOf(x.shape);
      const out = f64(index.shape);
      eachIndex(index.shape, (c, i) => {
        const cc = [...c];
        cc[axis] = index.data[i];
        out.data[i] = x.data[at(cc, sx)];
      });
      return out;
    },
  } satisfies OpDef<Attrs['gather']>,

  scatterAdd: {
    infer([x, index, src], { axis }) {
      checkDType('scatterAdd', x, 'f32', 'input');
      checkDType('scatterAdd', src, 'f32', 'src');
      checkIndexShape('scatterAdd', x, axis, index);
      if (src.ndim !== index.ndim || index.shape.some((d, i) => d > src.shape[i])) throw new Error(`scatterAdd: index ${shapeStr(index.shape)} is larger than src ${shapeStr(src.shape)}`);
      checkIndices('scatterAdd', index, x.shape[axis], 'index');
      return { shape: x.shape, dtype: 'f32' };
    },
    indexBounds: ([x], { axis }) => [[1, x.shape[axis]]],
    forward([x, index, src], { axis }, save) {
      save(index);
      return scatterAddKernel(x, x.shape, axis, index, src);
    },
    backward(g, [index], { axis }, [x, , src]) {
      return [x.requiresGrad ? g : null, null, src.requiresGrad ? scatteredSrcGrad(g, index, axis, src.shape) : null];
    },
    reference([x, index, src], { axis }) {
      const sx = stridesOf(x.shape);
      const ss = stridesOf(src.shape);
      const out = f64(x.shape, x.data);
      eachIndex(index.shape, (c, i) => {
        const cc = [...c];
        cc[axis] = index.data[i];
        out.data[at(cc, sx)] += src.data[at(c, ss)];
      });
      return out;
    },
  } satisfies OpDef<Attrs['scatterAdd']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  indexSelect: {
    // rows index[j] of x along axis get row j of g: a one-hot [k, R] transposed times g with axis first
    backward: (g, [index], { axis }, [x]) => {
      const R = x.shape[axis];
      const first = [axis, ...x.shape.map((_, i) => i).filter((i) => i !== axis)];
      const gFirst = permute(g, first);
      const rows = matmul(transpose(oneHot(index, R)), reshape(gFirst, [index.size, -1]));
      const back = first.map((_, i) => first.indexOf(i));
      return [permute(reshape(rows, [R, ...gFirst.shape.slice(1)]), back), null];
    },
  },
  // the scatter-add of g into zeros at the same indices (scatterAdd's own rule is in ops)
  gather: { backward: (g, [index], { axis }, [x]) => [apply(indexingDefs.scatterAdd, [zeros(x.shape), index, g], { axis }), null] },
  scatterAdd: { ops: true }, // g for x, and for src the gather of g (padded with zeros), in ops
}));

/** The gradient of the src of a scatter (scatterAdd, scatter): g gathered at the index, and zero where src
 * reaches beyond the index's extents (those values were never written). */
export function scatteredSrcGrad(g: Tensor, index: Tensor, axis: number, srcShape: readonly number[]): Tensor {
  const picked = apply(indexingDefs.gather, [g, index], { axis });
  const extra = srcShape.map((d, i) => d - index.shape[i]);
  if (extra.every((e) => e === 0)) return picked;
  const padded = pad(picked, [...extra].reverse().flatMap((e) => [0, e])); // pad's order: last axis first
  picked.dispose();
  return padded;
}

/** The slices of x at `index` along axis (torch.index_select; index 1-D i32, values in [0, size)). */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  return apply(indexingDefs.indexSelect, [x, index], { axis: normAxis('indexSelect', axis, x.ndim) });
}

/** out[c] = x[c with c_axis := index[c]] (torch.gather; index has x's rank, no larger on the other axes). */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normAxis('gather', axis, x.ndim);
  if (x.ndim === 0 && index.ndim === 0) return onScalarAxis([x, index], ([x1, i1]) => apply(indexingDefs.gather, [x1, i1], { axis: 0 }));
  return apply(indexingDefs.gather, [x, index], { axis: a });
}

/** A copy of x with src[c] added at c with c_axis := index[c] (torch.scatter_add, out of place,
 * deterministic); gradients to x and src. */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = normAxis('scatterAdd', axis, x.ndim);
  if (x.ndim === 0 && index.ndim === 0 && src.ndim === 0) return onScalarAxis([x, index, src], ([x1, i1, s1]) => apply(indexingDefs.scatterAdd, [x1, i1, s1], { axis: 0 }));
  return apply(indexingDefs.scatterAdd, [x, index, src], { axis: a });
}

// Tensor methods (a.indexSelect(...) reads as indexSelect(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    indexSelect(axis: number, index: Tensor): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor;
  }
}
tensorMethods({
  indexSelect(axis: number, index: Tensor) { return indexSelect(this, axis, index); },
  gather(axis: number, index: Tensor) { return gather(this, axis, index); },
  scatterAdd(axis: number, index: Tensor, src: Tensor) { return scatterAdd(this, axis, index, src); },
});
