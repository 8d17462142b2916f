// Reductions over one axis or all (reduce_sum.wgsl, reduce_max.wgsl), and sumTo: un-broadcasting.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64, reducedShape, reductionView } from '../reference.js';
import { axisSize, normAxis, sameShape, shapeStr, sizeOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { rowsPerWorkgroup } from '../variants.js';
import { affine } from './unary.js';
import { expand, onScalarAxis, reshape } from './movement.js';
import { checkOptions } from '../options.js';
import reduceSumWgsl from '../../shaders/reduce_sum.wgsl';
import reduceSumWorkgroupWgsl from '../../shaders/reduce_sum_workgroup.wgsl';
import reduceMaxWgsl from '../../shaders/reduce_max.wgsl';
import cumsumWgsl from '../../shaders/cumsum.wgsl';
import topkWgsl from '../../shaders/topk.wgsl';
import maxBackwardWgsl from '../../shaders/max_backward.wgsl';
import { indexingDefs } from './indexing.js';
import { extremumRule } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface ReduceAttrs {
  sum: { axis: number | null; keepdim: boolean; scale: number };
  max: { axis: number | null; keepdim: boolean };
  min: { axis: number | null; keepdim: boolean };
  argmax: { axis: number; keepdim: boolean };
  argmin: { axis: number; keepdim: boolean };
  cumsum: { axis: number; exclusive: boolean; reverse: boolean };
  /** The indices of the k largest along axis, largest first (topk's values are gathered with them). */
  topkIndices: { axis: number; k: number };
  /** Un-broadcasting: sums down to `shape` (the one place gradients of broadcasts are reduced). */
  sumTo: { shape: number[] };
}
declare module './def.js' {
  interface Attrs extends ReduceAttrs {}
}

const REDUCE_SUM = /* @__PURE__ */ defineKernel(reduceSumWgsl, { outer: 'u32', R: 'u32', inner: 'u32', chunks: 'u32', clen: 'u32', scale: 'f32' }, { X: 'read f32', Y: 'read_write f32' });
const REDUCE_SUM_WORKGROUP = /* @__PURE__ */ defineKernel(reduceSumWorkgroupWgsl, { outer: 'u32', R: 'u32', inner: 'u32', chunks: 'u32', clen: 'u32', scale: 'f32' }, { X: 'read f32', Y: 'read_write f32' });
const REDUCE_MAX = /* @__PURE__ */ defineKernel(reduceMaxWgsl, { outer: 'u32', R: 'u32', inner: 'u32' }, { X: 'read f32', Y: 'read_write f32', ARG: 'read_write i32' });
const CUMSUM = /* @__PURE__ */ defineKernel(cumsumWgsl, { outer: 'u32', R: 'u32', inner: 'u32' }, { X: 'read f32', Y: 'read_write f32' });
const TOPK = /* @__PURE__ */ defineKernel(topkWgsl, { outer: 'u32', R: 'u32', inner: 'u32', k: 'u32' }, { X: 'read f32', IDX: 'read_write i32' });
const MAX_BACKWARD = /* @__PURE__ */ defineKernel(maxBackwardWgsl, { outer: 'u32', R: 'u32', inner: 'u32' }, { G: 'read f32', ARG: 'read i32', DX: 'read_write f32' });

/** Sum of the middle axis of [outer, R, inner], times scale; long reductions with few outputs go in two stages. */
function sumKernel(x: Tensor, outer: number, R: number, inner: number, scale: number, outShape: number[]): Tensor {
  const r = rt();
  // Contiguous rows may go one workgroup per output (GPUs); same params, same chunking.
  const run = (src: Tensor, dst: Tensor, len: number, chunks_: number, clen: number, s: number) => {
    const n = outer * chunks_ * inner;
    const wg = rowsPerWorkgroup('reduce', inner, clen);
    r.run(wg ? REDUCE_SUM_WORKGROUP : REDUCE_SUM, {}, { X: view(src), Y: view(dst) }, { outer, R: len, inner, chunks: chunks_, clen, scale: s }, r.groups1d(n, wg ? 1 : 64));
    // a compiled step may compute the elementwise ops that made src inside this sum (src/fuse.ts)
    if (r.recorder && !wg) r.recorder.elementwise({ kind: 'sum', expr: '', scalars: [0, 0], inputs: [view(src)], sizes: [src.size], output: view(dst), n: src.size });
  };
  const y = empty(outShape);
  const chunks = outer * inner < 256 && R >= 4096 ? Math.min(256, Math.ceil(R / 1024)) : 1;
  if (chunks === 1) {
    run(x, y, R, 1, R, scale);
    return y;
  }
  const clen = Math.ceil(R / chunks);
  const partial = empty([outer, chunks, inner]);
  run(x, partial, R, chunks, clen, 1);
  run(partial, y, chunks, 1, chunks, scale);
  partial.dispose();
  return y;
}

function refReduce(x: { shape: number[]; data: Float64Array }, axis: number | null, keepdim: boolean, f: (acc: number, v: number) => number, init: (v: number) => number, scale = 1) {
  const [outer, R, inner] = reductionView(x.shape, axis);
  const out = f64(reducedShape(x.shape, axis, keepdim));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc = R ? init(x.data[o * R * inner + i]) : 0; // an empty sum is 0 (max and min refuse empty axes)
      for (let r = 1; r < R; r++) acc = f(acc, x.data[(o * R + r) * inner + i]);
      out.data[o * inner + i] = acc * scale;
    }
  return out;
}

/** The gradient of a reduction, spread back over the reduced axis. */
function expandBack(g: Tensor, inShape: readonly number[], axis: number | null): Tensor {
  const keep = reducedShape(inShape, axis, true);
  const gk = reshape(g, keep);
  const out = expand(gk, [...inShape]);
  gk.dispose();
  return out;
}

/** max, min, argmax and argmin have no value over nothing. As in PyTorch, an empty tensor is refused only
 * when the reduced axis (or, with no axis, the whole tensor) is empty: [0, 3] reduced over axis 1 gives [0]. */
function checkNonEmptyReduction(name: string, shape: readonly number[], axis: number | null): void {
  if (axis === null ? sizeOf(shape) === 0 : shape[axis] === 0) {
    throw new Error(`${name}: cannot reduce ${axis === null ? 'an empty tensor' : `over axis ${axis}, which is empty`} (shape ${shapeStr(shape)}): there is no ${name.startsWith('arg') ? 'index' : 'value'} to give`);
  }
}

function extremumDef(name: 'max' | 'min', better: '>' | '<'): OpDef<Attrs['max']> {
  return {
    infer([x], { axis, keepdim }) {
      checkDType(name, x, 'f32');
      checkNonEmptyReduction(name, x.shape, axis);
      return { shape: reducedShape(x.shape, axis, keepdim), dtype: 'f32' };
    },
    forward([x], { axis, keepdim }, save) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const y = empty(reducedShape(x.shape, axis, keepdim));
      const arg = empty([outer * inner], 'i32');
      const r = rt();
      r.run(REDUCE_MAX, { BETTER: better }, { X: view(x), Y: view(y), ARG: view(arg) }, { outer, R, inner }, r.groups1d(outer * inner, 64));
      save(arg);
      arg.dispose();
      return y;
    },
    backward(g, [arg], { axis }, [x]) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const dx = empty(x.shape);
      const r = rt();
      r.run(MAX_BACKWARD, {}, { G: view(g), ARG: view(arg), DX: view(dx) }, { outer, R, inner }, r.groups1d(x.size, 256));
      return [dx];
    },
    reference([x], { axis, keepdim }) {
      return refReduce(x, axis, keepdim, better === '>' ? Math.max : Math.min, (v) => v);
    },
  };
}

function argExtremumDef(name: 'argmax' | 'argmin', better: '>' | '<'): OpDef<Attrs['argmax']> {
  return {
    infer([x], { axis, keepdim }) {
      checkDType(name, x, 'f32');
      checkNonEmptyReduction(name, x.shape, axis);
      return { shape: reducedShape(x.shape, axis, keepdim), dtype: 'i32' };
    },
    forward([x], { axis, keepdim }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const values = empty([outer * inner]);
      const arg = empty(reducedShape(x.shape, axis, keepdim), 'i32');
      const r = rt();
      r.run(REDUCE_MAX, { BETTER: better }, { X: view(x), Y: view(values), ARG: view(arg) }, { outer, R, inner }, r.groups1d(outer * inner, 64));
      values.dispose();
      return arg;
    },
    backward() {
      return [null]; // an index is not differentiable
    },
    reference([x], { axis, keepdim }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const out = f64(reducedShape(x.shape, axis, keepdim));
      // a NaN wins and stays (PyTorch points at the first NaN)
      const wins = better === '>' ? (a: number, b: number) => !Number.isNaN(b) && (Number.isNaN(a) || a > b) : (a: number, b: number) => !Number.isNaN(b) && (Number.isNaN(a) || a < b);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let best = 0;
          for (let r = 1; r < R; r++) if (wins(x.data[(o * R + r) * inner + i], x.data[(o * R + best) * inner + i])) best = r;
          out.data[o * inner + i] = best;
        }
      return out;
    },
  };
}

function cumsumKernel(x: Tensor, axis: number, reverse: boolean, exclusive: boolean): Tensor {
  const [outer, R, inner] = reductionView(x.shape, axis);
  const y = empty(x.shape);
  if (!y.size) return y;
  const r = rt();
  r.run(CUMSUM, { REVERSE: String(reverse), EXCLUSIVE: String(exclusive) }, { X: view(x), Y: view(y) }, { outer, R, inner }, r.groups1d(outer * inner, 64));
  return y;
}

export const reduceDefs: Ops<keyof ReduceAttrs> = /* @__PURE__ */ defineOps(() => ({
  sum: {
    infer([x], { axis, keepdim }) {
      checkDType('sum', x, 'f32');
      return { shape: reducedShape(x.shape, axis, keepdim), dtype: 'f32' };
    },
    forward([x], { axis, keepdim, scale }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      return sumKernel(x, outer, R, inner, scale, reducedShape(x.shape, axis, keepdim));
    },
    backward(g, _s, { axis, scale }, [x]) {
      const e = expandBack(g, x.shape, axis);
      if (scale === 1 || !x.size) return [e]; // an empty mean's NaN scale has nothing to scale
      const out = affine(e, scale);
      e.dispose();
      return [out];
    },
    reference([x], { axis, keepdim, scale }) {
      return refReduce(x, axis, keepdim, (a, v) => a + v, (v) => v, scale);
    },
  } satisfies OpDef<Attrs['sum']>,

  max: extremumDef('max', '>'),
  min: extremumDef('min', '<'),
  argmax: argExtremumDef('argmax', '>'),
  argmin: argExtremumDef('argmin', '<'),

  cumsum: {
    infer([x]) {
      checkDType('cumsum', x, 'f32');
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x], { axis, reverse, exclusive }) {
      return cumsumKernel(x, axis, reverse, exclusive);
    },
    backward(g, _s, { axis, reverse, exclusive }) {
      return [cumsumKernel(g, axis, !reverse, exclusive)]; // d/dx_s of the prefix sums: the suffix sum of g from s
    },
    reference([x], { axis, reverse, exclusive }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const out = f64(x.shape);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let acc = 0;
          for (let s = 0; s < R; s++) {
            const at = (o * R + (reverse ? R - 1 - s : s)) * inner + i;
            if (exclusive) out.data[at] = acc;
            acc += x.data[at];
            if (!exclusive) out.data[at] = acc;
          }
        }
      return out;
    },
  } satisfies OpDef<Attrs['cumsum']>,

  topkIndices: {
    infer([x], { axis, k }) {
      checkDType('topk', x, 'f32');
      const R = axisSize(x.shape, axis);
      if (!Number.isInteger(k) || k < 0 || k > R) throw new Error(`topk: k must be an integer in [0, ${R}] for axis ${axis} of ${shapeStr(x.shape)}, got ${k}`);
      return { shape: x.shape.map((d, i) => (i === axis ? k : d)), dtype: 'i32' };
    },
    forward([x], { axis, k }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const idx = empty(x.shape.map((d, i) => (i === axis ? k : d)), 'i32');
      if (idx.size) {
        const r = rt();
        r.run(TOPK, {}, { X: view(x), IDX: view(idx) }, { outer, R, inner, k }, r.groups1d(outer * inner, 64));
      }
      return idx;
    },
    backward() {
      return [null]; // indices; topk's values get their gradient through gather
    },
    reference([x], { axis, k }) {
      const [outer, R, inner] = reductionView(x.shape, axis);
      const out = f64(x.shape.map((d, i) => (i === axis ? k : d)));
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const order = Array.from({ length: R }, (_, r) => r).sort((a, b) => x.data[(o * R + b) * inner + i] - x.data[(o * R + a) * inner + i] || a - b);
          for (let t = 0; t < k; t++) out.data[(o * k + t) * inner + i] = order[t];
        }
      return out;
    },
  } satisfies OpDef<Attrs['topkIndices']>,

  sumTo: {
    infer([g], { shape }) {
      checkDType('sumTo', g, 'f32');
      const lead = g.ndim - shape.length;
      const ok = lead >= 0 && shape.every((d, i) => d === g.shape[lead + i] || d === 1);
      if (!ok) throw new Error(`sumTo: cannot reduce ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
      return { shape, dtype: 'f32' };
    },
    forward([g], { shape }) {
      return sumToKernels(g, shape);
    },
    backward(g, _s, _a, [x]) {
      return [expand(g, x.shape)];
    },
    reference([g], { shape }) {
      const out = f64(shape);
      const lead = g.shape.length - shape.length;
      const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
      for (let i = 0; i < g.data.length; i++) {
        let rest = i, j = 0;
        for (let d = g.shape.length - 1; d >= 0; d--) {
          const c = rest % g.shape[d];
          rest = Math.floor(rest / g.shape[d]);
          const od = d - lead;
          if (od >= 0 && shape[od] !== 1) j += c * strides[od];
        }
        out.data[j] += g.data[i];
      }
      return out;
    },
  } satisfies OpDef<Attrs['sumTo']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  sum: { ops: true },
  max: { backward: (g, [arg], { axis }, [x]) => [extremumRule(g, arg, axis, x)] },
  min: { backward: (g, [arg], { axis }, [x]) => [extremumRule(g, arg, axis, x)] },
  argmax: { none: 'argmax has an integer output: no gradient' },
  argmin: { none: 'argmin has an integer output: no gradient' },
  // the suffix sum of g from s: the same op summing the other way
  cumsum: { backward: (g, _s, a) => [apply(reduceDefs.cumsum, [g], { ...a, reverse: !a.reverse })] },
  topkIndices: { none: 'topk indices are integers: no gradient' },
  sumTo: { ops: true },
}));

/** An axis, a list of axes (each once) or all (null/undefined). */
export type Axes = number | readonly number[] | null | undefined;

/** The axes to reduce, normalised, largest first (so that reducing one leaves the others' numbers), or null for all. */
function axesArg(op: string, x: Tensor, axis: Axes): number[] | null {
  if (axis === undefined || axis === null) return null;
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const norm = list.map((a) => normAxis(op, a, x.ndim));
  if (new Set(norm).size !== norm.length) throw new Error(`${op}: axis ${norm.find((a, i) => norm.indexOf(a) !== i)} appears twice in [${list.join(', ')}]`);
  return norm.sort((a, b) => b - a);
}

/** One primitive per axis (largest first, kept as size 1), then the kept axes dropped unless keepdim. */
function overAxes(x: Tensor, axes: number[], keepdim: boolean, one: (t: Tensor, axis: number, last: boolean) => Tensor): Tensor {
  let cur = x;
  axes.forEach((a, i) => {
    const next = one(cur, a, i === axes.length - 1);
    if (cur !== x) cur.dispose();
    cur = next;
  });
  if (keepdim) return cur;
  const out = reshape(cur, x.shape.filter((_, d) => !axes.includes(d)));
  cur.dispose();
  return out;
}

/** Sum over an axis, a list of axes, or all (keepdim keeps them as size 1). */
export function sum(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  const axes = axesArg('sum', x, axis);
  if (!axes || axes.length === 1) return apply(reduceDefs.sum, [x], { axis: axes?.[0] ?? null, keepdim, scale: 1 });
  return overAxes(x, axes, keepdim, (t, a) => apply(reduceDefs.sum, [t], { axis: a, keepdim: true, scale: 1 }));
}

/** Mean over an axis, a list of axes or all; over no elements NaN (0 / 0), as PyTorch. */
export function mean(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  const axes = axesArg('mean', x, axis);
  const n = axes === null ? x.size : axes.reduce((p, a) => p * axisSize(x.shape, a), 1);
  // the empty sum (0) times NaN: a NaN that comes in as a parameter, not one made by WGSL math
  const scale = n ? 1 / n : NaN;
  if (!axes || axes.length === 1) return apply(reduceDefs.sum, [x], { axis: axes?.[0] ?? null, keepdim, scale });
  return overAxes(x, axes, keepdim, (t, a, last) => apply(reduceDefs.sum, [t], { axis: a, keepdim: true, scale: last ? scale : 1 }));
}

function extremum(op: 'max' | 'min', x: Tensor, axis: Axes, keepdim: boolean): Tensor {
  const axes = axesArg(op, x, axis);
  if (!axes || axes.length === 1) return apply(reduceDefs[op], [x], { axis: axes?.[0] ?? null, keepdim });
  return overAxes(x, axes, keepdim, (t, a) => apply(reduceDefs[op], [t], { axis: a, keepdim: true }));
}

/** Maximum over an axis, a list of axes or all (NaN where a NaN is reduced, as PyTorch); the gradient goes
 * to the first maximal element. */
export const max = (x: Tensor, axis?: Axes, keepdim = false): Tensor => extremum('max', x, axis, keepdim);
/** Minimum over an axis, a list of axes or all; the gradient goes to the first minimal element. */
export const min = (x: Tensor, axis?: Axes, keepdim = false): Tensor => extremum('min', x, axis, keepdim);

/** Index of the first maximum along an axis (i32, no gradient); of the first NaN where there is one. */
export function argmax(x: Tensor, axis = -1, keepdim = false): Tensor {
  return apply(reduceDefs.argmax, [x], { axis: normAxis('argmax', axis, x.ndim), keepdim });
}

/** Index of the first minimum along an axis (i32, no gradient). */
export function argmin(x: Tensor, axis = -1, keepdim = false): Tensor {
  return apply(reduceDefs.argmin, [x], { axis: normAxis('argmin', axis, x.ndim), keepdim });
}

/** Running sum along an axis (torch.cumsum); `reverse` sums from the end, `exclusive` leaves each element
 * out of its own sum (ONNX CumSum's attributes). */
export function cumsum(x: Tensor, axis: number, opts: { exclusive?: boolean; reverse?: boolean } = {}): Tensor {
  checkOptions('cumsum', opts, ['exclusive', 'reverse']);
  return apply(reduceDefs.cumsum, [x], { axis: normAxis('cumsum', axis, x.ndim), exclusive: opts.exclusive ?? false, reverse: opts.reverse ?? false });
}

/** The k largest values along an axis, largest first, and their indices (ties: lower index first); the
 * gradient flows through values to the positions they came from. */
export function topk(x: Tensor, k: number, axis = -1): { values: Tensor; indices: Tensor } {
  const a = normAxis('topk', axis, x.ndim);
  if (x.ndim === 0 && k === 1) {
    const indices = apply(reduceDefs.topkIndices, [x], { axis: a, k }, 'topk'); // 0-d: [0]
    const values = onScalarAxis([x, indices], ([x1, i1]) => apply(indexingDefs.gather, [x1, i1], { axis: 0 }));
    return { values, indices };
  }
  const indices = apply(reduceDefs.topkIndices, [x], { axis: a, k }, 'topk');
  return { values: apply(indexingDefs.gather, [x, indices], { axis: a }), indices };
}

/**
 * Un-broadcasting: sums g (the gradient of a broadcast result) down to `shape`; returns g itself when
 * nothing needs reducing.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return apply(reduceDefs.sumTo, [g], { shape: [...shape] });
}

/** Runs of adjacent reduced axes summed in one dispatch each. */
function sumToKernels(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length;
  const target = [...new Array(lead).fill(1), ...shape];
  let cur = g;
  let curShape = [...g.shape];
  for (let d = 0; d < curShape.length; ) {
    if (target[d] === curShape[d]) {
      d++;
      continue;
    }
    if (target[d] !== 1) throw new Error(`sumTo: cannot reduce ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
    let e = d;
    while (e + 1 < curShape.length && target[e + 1] === 1 && curShape[e + 1] !== 1) e++;
    const outer = sizeOf(curShape.slice(0, d));
    const R = sizeOf(curShape.slice(d, e + 1));
    const inner = sizeOf(curShape.slice(e + 1));
    const nextShape = curShape.map((s, i) => (i >= d && i <= e ? 1 : s));
    const next = sumKernel(cur, outer, R, inner, 1, nextShape);
    if (cur !== g) cur.dispose();
    cur = next;
    curShape = nextShape;
    d = e + 1;
  }
  const out = reshape(cur, shape);
  if (cur !== g) cur.dispose();
  return out;
}

// Tensor methods (a.sum(...) reads as sum(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    sum(axis?: Axes, keepdim?: boolean): Tensor;
    mean(axis?: Axes, keepdim?: boolean): Tensor;
    max(axis?: Axes, keepdim?: boolean): Tensor;
    min(axis?: Axes, keepdim?: boolean): Tensor;
    argmin(axis?: number, keepdim?: boolean): Tensor;
    cumsum(axis: number, opts?: { exclusive?: boolean; reverse?: boolean }): Tensor;
    topk(k: number, axis?: number): { values: Tensor; indices: Tensor };
    argmax(axis?: number, keepdim?: boolean): Tensor;
  }
}
tensorMethods({
  sum(axis?: Axes, keepdim?: boolean) { return sum(this, axis, keepdim); },
  mean(axis?: Axes, keepdim?: boolean) { return mean(this, axis, keepdim); },
  max(axis?: Axes, keepdim?: boolean) { return max(this, axis, keepdim); },
  min(axis?: Axes, keepdim?: boolean) { return min(this, axis, keepdim); },
  argmin(axis = -1, keepdim = false) { return argmin(this, axis, keepdim); },
  cumsum(axis: number, opts?: { exclusive?: boolean; reverse?: boolean }) { return cumsum(this, axis, opts); },
  topk(k: number, axis = -1) { return topk(this, k, axis) as never; },
  argmax(axis = -1, keepdim = false) { return argmax(this, axis, keepdim); },
});
