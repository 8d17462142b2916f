// Scatter and N-d indexing: scatter (torch.scatter; ONNX ScatterElements without reduction; the kernel is
// scatter_add.wgsl replacing instead of adding), gatherNd (ONNX GatherND with batch_dims, gather_nd.wgsl)
// and scatterNd (ONNX ScatterND with reduction none / add / mul, scatter_nd.wgsl). Deterministic: every
// output element reads its own contributions in a fixed order, no atomics. Backwards are in these ops.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { normAxis, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { ones, zeros } from '../creation.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { checkIndices } from './gather.js';
import { scatterAddKernel, scatteredSrcGrad } from './indexing.js';
import { mul } from './binary.js';
import { checkOptions } from '../options.js';
import gatherNdWgsl from '../../shaders/gather_nd.wgsl';
import scatterNdWgsl from '../../shaders/scatter_nd.wgsl';
import { indexingDefs } from './indexing.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface ScatterAttrs {
  // torch.scatter (replacing), ONNX GatherND / ScatterND
  scatter: { axis: number };
  gatherNd: { batchDims: number };
  scatterNd: { reduction: 'none' | 'add' | 'mul'; batchDims: number };
}
declare module './def.js' {
  interface Attrs extends ScatterAttrs {}
}

const GATHER_ND = /* @__PURE__ */ defineKernel(gatherNdWgsl, { n: 'u32', M: 'u32', k: 'u32', inner: 'u32', dims: 'u32[]' }, { X: 'read u32', IDX: 'read i32', Y: 'read_write u32' });
const SCATTER_ND = /* @__PURE__ */ defineKernel(scatterNdWgsl, { n: 'u32', M: 'u32', k: 'u32', inner: 'u32', dims: 'u32[]' }, { X: 'read u32', IDX: 'read i32', UPD: 'read u32', Y: 'read_write u32' });
const MODES = { none: 0, add: 1, mul: 2 } as const;

/** The multi-index of each flat position of `shape` (reference helper). */
function coords(shape: readonly number[], i: number): number[] {
  const c = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}
const flat = (c: readonly number[], strides: readonly number[]) => c.reduce((s, v, d) => s + v * strides[d], 0);

/** The views both N-d kernels read: x as [B, X_1 .. X_k, inner], indices as [B, M, k]. */
function ndView(x: readonly number[], idx: readonly number[], batchDims: number) {
  const k = idx[idx.length - 1];
  const B = sizeOf(x.slice(0, batchDims));
  return { B, k, M: sizeOf(idx.slice(batchDims, -1)), dims: x.slice(batchDims, batchDims + k), inner: sizeOf(x.slice(batchDims + k)) };
}

/** Validates N-d indices (i32 [..batch, .., k], k <= rank - batchDims, batch extents equal) and host-known
 * values in [-extent, extent); returns the shape gathered: batch + indices' middle + x's trailing axes. */
function checkNd(op: string, x: Tensor, idx: Tensor, batchDims: number): number[] {
  checkDType(op, idx, 'i32', 'indices');
  if (!Number.isInteger(batchDims) || batchDims < 0 || batchDims >= Math.min(x.ndim, idx.ndim)) {
    throw new Error(`${op}: batchDims ${batchDims} must be an integer in [0, ${Math.min(x.ndim, idx.ndim) - 1}] for data ${shapeStr(x.shape)} and indices ${shapeStr(idx.shape)}`);
  }
  const k = idx.shape[idx.ndim - 1];
  if (k < 1 || batchDims + k > x.ndim) throw new Error(`${op}: the last axis of indices ${shapeStr(idx.shape)} (${k}) must be in [1, ${x.ndim - batchDims}] for data ${shapeStr(x.shape)} with batchDims ${batchDims}`);
  for (let d = 0; d < batchDims; d++) {
    if (idx.shape[d] !== x.shape[d]) throw new Error(`${op}: batch axis ${d} differs: data ${shapeStr(x.shape)}, indices ${shapeStr(idx.shape)}`);
  }
  const h = idx.host ?? idx.ref?.data;
  if (h) {
    for (let i = 0; i < h.length; i++) {
      const n = x.shape[batchDims + (i % k)];
      if (h[i] < -n || h[i] >= n) throw new Error(`${op}: index ${h[i]} at position ${i} is outside [${n ? -n : 0}, ${n}) (axis ${batchDims + (i % k)} of data ${shapeStr(x.shape)})`);
    }
    if (idx.host) rt().guard(() => idx.host!.every((v, i) => v >= -x.shape[batchDims + (i % k)] && v < x.shape[batchDims + (i % k)]));
  }
  return ndShape(x.shape, idx.shape, batchDims);
}

const ndShape = (x: readonly number[], idx: readonly number[], batchDims: number) => [...idx.slice(0, -1), ...x.slice(batchDims + idx[idx.length - 1])];

/** Reference: for each (b, m) row of indices, the flat offset of its cell in x (in units of `inner`). */
function ndCells(x: readonly number[], idx: { shape: number[]; data: Float64Array }, batchDims: number): number[] {
  const { k, M, dims } = ndView(x, idx.shape, batchDims);
  const cells = sizeOf(dims);
  const out: number[] = [];
  for (let row = 0; row < idx.data.length / k; row++) {
    let cell = 0;
    for (let j = 0; j < k; j++) {
      const v = idx.data[row * k + j];
      cell = cell * dims[j] + (v < 0 ? v + dims[j] : v);
    }
    out.push(Math.floor(row / M) * cells + cell);
  }
  return out;
}

function scatterNdKernel(base: Tensor | null, shape: readonly number[], idx: Tensor, upd: Tensor, mode: keyof typeof MODES, batchDims: number, dtype = upd.dtype): Tensor {
  const y = empty(shape, dtype);
  if (!y.size) return y;
  const { M, k, inner, dims } = ndView(shape, idx.shape, batchDims);
  const r = rt();
  // The written Y may not share a dispatch with a read binding of the same buffer: an absent base, or empty
  // indices and updates (nothing to scatter), bind a 1-element stand-in, not Y.
  const standIns: Tensor[] = [];
  const bound = (t: Tensor | null, dt: Tensor['dtype']) => (t?.size ? t : (standIns.push(empty([1], dt)), standIns[standIns.length - 1]));
  r.run(SCATTER_ND, { MODE: MODES[mode], BASE: String(!!base) }, { X: view(bound(base, dtype)), IDX: view(bound(idx, 'i32')), UPD: view(bound(upd, dtype)), Y: view(y) }, { n: y.size, M: idx.size ? M : 0, k, inner, dims }, r.groups1d(y.size, 256));
  for (const t of standIns) t.dispose();
  return y;
}

export const scatterDefs: Ops<keyof ScatterAttrs> = /* @__PURE__ */ defineOps(() => ({
  scatter: {
    infer([x, index, src], { axis }) {
      checkDType('scatter', x, 'f32', 'input');
      checkDType('scatter', src, 'f32', 'src');
      checkDType('scatter', index, 'i32', 'index');
      if (index.ndim !== x.ndim || src.ndim !== x.ndim) throw new Error(`scatter: input ${shapeStr(x.shape)}, index ${shapeStr(index.shape)} and src ${shapeStr(src.shape)} must have the same number of dimensions`);
      index.shape.forEach((d, i) => {
        if (d > src.shape[i] || (i !== axis && d > x.shape[i])) throw new Error(`scatter: index ${shapeStr(index.shape)} is larger than src ${shapeStr(src.shape)} or than the input ${shapeStr(x.shape)} on axis ${i}`);
      });
      checkIndices('scatter', index, x.shape[axis], 'index');
      return { shape: x.shape, dtype: 'f32' };
    },
    indexBounds: ([x], { axis }) => [[1, x.shape[axis]]],
    forward([x, index, src], { axis }, save) {
      save(index);
      return scatterAddKernel(x, x.shape, axis, index, src, true);
    },
    backward(g, [index], { axis }, [x, , src]) {
      // x: g where nothing was written; src: g where it was written (every duplicate gets it, as PyTorch)
      let dx: Tensor | null = null;
      if (x.requiresGrad) {
        const z = zeros(index.shape);
        dx = apply(scatterDefs.scatter, [g, index, z], { axis });
        z.dispose();
      }
      return [dx, null, src.requiresGrad ? scatteredSrcGrad(g, index, axis, src.shape) : null];
    },
    reference([x, index, src], { axis }) {
      const sx = stridesOf(x.shape);
      const ss = stridesOf(src.shape);
      const out = f64(x.shape, x.data);
      for (let i = 0; i < index.data.length; i++) {
        const c = coords(index.shape, i);
        const at = flat(c, ss);
        c[axis] = index.data[i];
        out.data[flat(c, sx)] = src.data[at];
      }
      return out;
    },
  } satisfies OpDef<Attrs['scatter']>,

  gatherNd: {
    infer([x, idx], { batchDims }) {
      return { shape: checkNd('gatherNd', x, idx, batchDims), dtype: x.dtype };
    },
    forward([x, idx], { batchDims }, save) {
      const y = empty(ndShape(x.shape, idx.shape, batchDims), x.dtype);
      if (y.size) {
        const { M, k, inner, dims } = ndView(x.shape, idx.shape, batchDims);
        const r = rt();
        r.run(GATHER_ND, {}, { X: view(x), IDX: view(idx), Y: view(y) }, { n: y.size, M, k, inner, dims }, r.groups1d(y.size, 256));
      }
      save(idx);
      return y;
    },
    backward(g, [idx], { batchDims }, [x]) {
      const z = zeros(x.shape);
      const dx = apply(scatterDefs.scatterNd, [z, idx, g], { reduction: 'add', batchDims });
      z.dispose();
      return [dx, null];
    },
    reference([x, idx], { batchDims }) {
      const { inner } = ndView(x.shape, idx.shape, batchDims);
      const cells = ndCells(x.shape, idx, batchDims);
      const out = f64(ndShape(x.shape, idx.shape, batchDims));
      cells.forEach((cell, row) => out.data.set(x.data.subarray(cell * inner, cell * inner + inner), row * inner));
      return out;
    },
  } satisfies OpDef<Attrs['gatherNd']>,

  scatterNd: {
    infer([x, idx, upd], { reduction, batchDims }) {
      const want = checkNd('scatterNd', x, idx, batchDims);
      if (upd.dtype !== x.dtype) throw new Error(`scatterNd: updates must be ${x.dtype} like the data, got ${upd.dtype}`);
      if (reduction !== 'none' && x.dtype !== 'f32') throw new Error(`scatterNd: reduction '${reduction}' needs f32 data, got ${x.dtype}`);
      if (!(reduction in MODES)) throw new Error(`scatterNd: reduction must be 'none', 'add' or 'mul', got '${reduction}'`);
      if (want.length !== upd.ndim || want.some((d, i) => d !== upd.shape[i])) throw new Error(`scatterNd: updates must have shape ${shapeStr(want)} for data ${shapeStr(x.shape)} and indices ${shapeStr(idx.shape)}, got ${shapeStr(upd.shape)}`);
      return { shape: x.shape, dtype: x.dtype };
    },
    forward([x, idx, upd], { reduction, batchDims }, save) {
      save(idx);
      if (reduction === 'mul') {
        save(upd);
        save(x);
      }
      return scatterNdKernel(x, x.shape, idx, upd, reduction, batchDims);
    },
    backward(g, [idx, updSaved, xSaved], { reduction, batchDims }, [x, , upd]) {
      let dx: Tensor | null = null;
      if (x.requiresGrad) {
        if (reduction === 'add') dx = g;
        else if (reduction === 'none') {
          const z = zeros(upd.shape);
          dx = apply(scatterDefs.scatterNd, [g, idx, z], { reduction: 'none', batchDims });
          z.dispose();
        } else {
          // d(x * prod of its updates)/dx: g times that product
          const o = ones(x.shape);
          const prod = apply(scatterDefs.scatterNd, [o, idx, updSaved], { reduction: 'mul', batchDims });
          dx = mul(g, prod);
          o.dispose();
          prod.dispose();
        }
      }
      if (!upd.requiresGrad) return [dx, null, null];
      if (reduction !== 'mul') return [dx, null, apply(scatterDefs.gatherNd, [g, idx], { batchDims })];
      // d(x * u)/du = x where each cell is multiplied by one update only: host-known distinct cells
      if (!idx.host || ndCells(x.shape, { shape: [...idx.shape], data: Float64Array.from(idx.host) }, batchDims).some((c, i, all) => all.indexOf(c) !== i)) {
        throw new Error(`scatterNd: reduction 'mul' gives the updates a gradient only for host-known indices naming distinct cells (indices ${shapeStr(idx.shape)}${idx.host ? ' repeat a cell' : ' were made on the GPU'})`);
      }
      const gx = mul(g, xSaved);
      const du = apply(scatterDefs.gatherNd, [gx, idx], { batchDims });
      gx.dispose();
      return [dx, null, du];
    },
    reference([x, idx, upd], { reduction, batchDims }) {
      const { inner } = ndView(x.shape, idx.shape, batchDims);
      const out = f64(x.shape, x.data);
      ndCells(x.shape, idx, batchDims).forEach((cell, row) => {
        for (let i = 0; i < inner; i++) {
          const u = upd.data[row * inner + i];
          const at = cell * inner + i;
          out.data[at] = reduction === 'none' ? u : reduction === 'add' ? out.data[at] + u : out.data[at] * u;
        }
      });
      return out;
    },
  } satisfies OpDef<Attrs['scatterNd']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  scatter: { ops: true }, // scatter of zeros into g for x, the gather of g for src
  gatherNd: { ops: true }, // a scatterNd-add of g into zeros
  scatterNd: { ops: true }, // g, a scatterNd of zeros into g, or g times the scattered product; gatherNd of g
}));

/** A copy of x with src[c] written at c with c_axis := index[c] (torch.scatter, out of place; index of x's
 * rank, no larger than src, nor than x off the axis). Duplicate targets: the last along the axis wins
 * (PyTorch leaves it unspecified). `reduce: 'add'` is scatterAdd. Gradients to x and src. */
export function scatter(x: Tensor, axis: number, index: Tensor, src: Tensor, opts: { reduce?: 'none' | 'add' } = {}): Tensor {
  checkOptions('scatter', opts, ['reduce']);
  const a = normAxis('scatter', axis, x.ndim);
  const reduce = opts.reduce ?? 'none';
  if (reduce === 'add') return apply(indexingDefs.scatterAdd, [x, index, src], { axis: a });
  if (reduce !== 'none') throw new Error(`scatter: reduce must be 'none' or 'add', got '${reduce}'`);
  return apply(scatterDefs.scatter, [x, index, src], { axis: a });
}

/** ONNX GatherND: indices [..batch, .., k] (i32, negative counts from the end) pick cells of x's axes
 * batchDims .. batchDims + k - 1; the result is [..batch, ..indices' middle, ..x's remaining axes].
 * Any dtype; gradients to x (a deterministic scatter-add). */
export function gatherNd(x: Tensor, indices: Tensor, batchDims = 0): Tensor {
  return apply(scatterDefs.gatherNd, [x, indices], { batchDims });
}

/** ONNX ScatterND: a copy of x with updates written at the cells indices name (reduction 'none': the last
 * duplicate wins; 'add' sums; 'mul' multiplies). updates: [..indices' leading axes, ..x's remaining axes].
 * Gradients to x, and to updates ('mul': for host-known indices naming distinct cells). */
export function scatterNd(x: Tensor, indices: Tensor, updates: Tensor, opts: { reduction?: 'none' | 'add' | 'mul' } = {}): Tensor {
  checkOptions('scatterNd', opts, ['reduction']);
  return apply(scatterDefs.scatterNd, [x, indices, updates], { reduction: opts.reduction ?? 'none', batchDims: 0 });
}

// Tensor methods (a.scatter(...) reads as scatter(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    scatter(axis: number, index: Tensor, src: Tensor, opts?: { reduce?: 'none' | 'add' }): Tensor;
  }
}
tensorMethods({
  scatter(axis: number, index: Tensor, src: Tensor, opts?: { reduce?: 'none' | 'add' }) { return scatter(this, axis, index, src, opts); },
});
