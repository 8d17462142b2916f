// softmax and logSoftmax over an axis (softmax.wgsl), with backward from the saved output
// (softmax_backward.wgsl); for contiguous rows on GPUs, one workgroup per row (the *_workgroup kernels).
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64, reductionView } from '../reference.js';
import { normAxis } from '../shape.js';
import { defineOps, type Attrs, type F64, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { rowsPerWorkgroup } from '../variants.js';
import softmaxWgsl from '../../shaders/softmax.wgsl';
import softmaxWorkgroupWgsl from '../../shaders/softmax_workgroup.wgsl';
import softmaxBackwardWgsl from '../../shaders/softmax_backward.wgsl';
import softmaxBackwardWorkgroupWgsl from '../../shaders/softmax_backward_workgroup.wgsl';
import { exp } from './unary.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface SoftmaxAttrs {
  softmax: { axis: number };
  logSoftmax: { axis: number };
}
declare module './def.js' {
  interface Attrs extends SoftmaxAttrs {}
}

const SOFTMAX = /* @__PURE__ */ defineKernel(softmaxWgsl, { outer: 'u32', C: 'u32', inner: 'u32', scale: 'f32', causal_t: 'u32' }, { X: 'read f32', Y: 'read_write f32' });
const SOFTMAX_WORKGROUP = /* @__PURE__ */ defineKernel(softmaxWorkgroupWgsl, { outer: 'u32', C: 'u32', inner: 'u32', scale: 'f32', causal_t: 'u32' }, { X: 'read f32', Y: 'read_write f32' });
const SOFTMAX_BACKWARD = /* @__PURE__ */ defineKernel(softmaxBackwardWgsl, { outer: 'u32', C: 'u32', inner: 'u32', scale: 'f32' }, { Y: 'read f32', G: 'read f32', DX: 'read_write f32' });
const SOFTMAX_BACKWARD_WORKGROUP = /* @__PURE__ */ defineKernel(softmaxBackwardWorkgroupWgsl, { outer: 'u32', C: 'u32', inner: 'u32', scale: 'f32' }, { Y: 'read f32', G: 'read f32', DX: 'read_write f32' });

/** Softmax (or log-softmax) over the middle axis of [outer, C, inner] into a new tensor, of `scale` times
 * the input; with causalT > 0 (rows of attention scores, inner = 1) row r keeps its first r % T + 1 entries. */
export function softmaxRows(x: Tensor, [outer, C, inner]: number[], opts: { log?: boolean; scale?: number; causalT?: number } = {}): Tensor {
  const { log = false, scale = 1, causalT = 0 } = opts;
  const y = empty(x.shape);
  if (!y.size) return y;
  const r = rt();
  const LOG = String(log);
  if (rowsPerWorkgroup('softmax', inner, C)) {
    r.run(SOFTMAX_WORKGROUP, { LOG }, { X: view(x), Y: view(y) }, { outer, C, inner: 0, scale, causal_t: causalT }, r.groups1d(outer, 1));
  } else {
    r.run(SOFTMAX, { LOG }, { X: view(x), Y: view(y) }, { outer, C, inner, scale, causal_t: causalT }, r.groups1d(outer * inner, 64));
  }
  return y;
}

/** The gradient of softmaxRows from its output y and upstream g, times scale. */
export function softmaxRowsBackward(y: Tensor, g: Tensor, [outer, C, inner]: number[], opts: { log?: boolean; scale?: number } = {}): Tensor {
  const { log = false, scale = 1 } = opts;
  const dx = empty(y.shape);
  if (!dx.size) return dx;
  const r = rt();
  const LOG = String(log);
  if (rowsPerWorkgroup('softmax', inner, C)) {
    r.run(SOFTMAX_BACKWARD_WORKGROUP, { LOG }, { Y: view(y), G: view(g), DX: view(dx) }, { outer, C, inner: 0, scale }, r.groups1d(outer, 1));
  } else {
    r.run(SOFTMAX_BACKWARD, { LOG }, { Y: view(y), G: view(g), DX: view(dx) }, { outer, C, inner, scale }, r.groups1d(outer * inner, 64));
  }
  return dx;
}

function softmaxOp(name: 'softmax' | 'logSoftmax'): OpDef<{ axis: number }> {
  return {
    infer([x]) {
      checkDType(name, x, 'f32');
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x], { axis }, save) {
      const y = softmaxRows(x, reductionView(x.shape, axis), { log: name === 'logSoftmax' });
      save(y);
      return y;
    },
    backward(g, [y], { axis }) {
      return [softmaxRowsBackward(y, g, reductionView(y.shape, axis), { log: name === 'logSoftmax' })];
    },
    reference([x], { axis }): F64 {
      const [outer, C, inner] = reductionView(x.shape, axis);
      const out = f64(x.shape);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const at = (c: number) => (o * C + c) * inner + i;
          let mx = -Infinity;
          for (let c = 0; c < C; c++) mx = Math.max(mx, x.data[at(c)]);
          let s = 0;
          for (let c = 0; c < C; c++) s += Math.exp(x.data[at(c)] - mx);
          for (let c = 0; c < C; c++) out.data[at(c)] = name === 'logSoftmax' ? x.data[at(c)] - mx - Math.log(s) : Math.exp(x.data[at(c)] - mx) / s;
        }
      return out;
    },
  };
}

export const softmaxDefs: Ops<keyof SoftmaxAttrs> = /* @__PURE__ */ defineOps(() => ({
  softmax: softmaxOp('softmax') satisfies OpDef<Attrs['softmax']>,
  logSoftmax: softmaxOp('logSoftmax') satisfies OpDef<Attrs['logSoftmax']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  softmax: { backward: (g, [y], { axis }) => [mul(y, sub(g, sum(mul(g, y), axis, true)))] },
  logSoftmax: { backward: (g, [y], { axis }) => [sub(g, mul(exp(y), sum(g, axis, true)))] },
}));

export const softmax = (x: Tensor, axis = -1): Tensor => apply(softmaxDefs.softmax, [x], { axis: normAxis('softmax', axis, x.ndim) });
export const logSoftmax = (x: Tensor, axis = -1): Tensor => apply(softmaxDefs.logSoftmax, [x], { axis: normAxis('logSoftmax', axis, x.ndim) });

// Tensor methods (a.softmax(...) reads as softmax(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}
tensorMethods({
  softmax(axis = -1) { return softmax(this, axis); },
  logSoftmax(axis = -1) { return logSoftmax(this, axis); },
});
