// Batched matmul [..., m, k] @ [..., k, n] with broadcast batch dimensions.
// Kernels: matmul_vec4.wgsl when k and n are multiples of 4 (vec4 loads), matmul_strided.wgsl otherwise.
import { empty, isGradEnabled, Tensor, tensorMethods } from '../tensor.js';
import { zeros } from '../creation.js';
import { rt, type BufferView } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { broadcastShapes, sameShape, shapeStr, sizeOf } from '../shape.js';
import { defineOps, type Attrs, type LinearActivation, type None, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { isReferenceMode } from '../backend.js';
import { sumTo } from './reduce.js';
import { kernelVariant, matmulClass, registerWorkgroup } from '../variants.js';
import { expand, reshape, transpose } from './movement.js';
import { gelu64, unaryBackward } from './unary.js';
import matmulTiledWgsl from '../../shaders/matmul_tiled.wgsl';
import matmulVec4Wgsl from '../../shaders/matmul_vec4.wgsl';
import matmulStridedWgsl from '../../shaders/matmul_strided.wgsl';
import linearWgsl from '../../shaders/linear.wgsl';
import linearSmallWgsl from '../../shaders/linear_small.wgsl';
import linearBackwardSmallWgsl from '../../shaders/linear_backward_small.wgsl';
import { activate, recompute } from './higher_order.js';
import { add } from './binary.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface MatmulAttrs {
  matmul: None;
}

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface LinearAttrs {
  linear: { activation: LinearActivation };
}
declare module './def.js' {
  interface Attrs extends MatmulAttrs {}
  interface Attrs extends LinearAttrs {}
}

function matmulShapes(a: readonly number[], b: readonly number[]) {
  if (a.length < 2 || b.length < 2) throw new Error(`matmul: both inputs need at least 2 dimensions, got ${shapeStr(a)} and ${shapeStr(b)}`);
  const [m, k] = a.slice(-2);
  const [k2, n] = b.slice(-2);
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${shapeStr(a)} @ ${shapeStr(b)} (${k} vs ${k2})`);
  const batch = broadcastShapes('matmul', a.slice(0, -2), b.slice(0, -2));
  return { m, k, n, batch };
}

const MATMUL_TILED = /* @__PURE__ */ defineKernel(matmulTiledWgsl, { M: 'u32', N: 'u32', K: 'u32', sA: 'u32', sB: 'u32', z0: 'u32' }, { A: 'read f32', B: 'read f32', C: 'read_write f32' });
const MATMUL_VEC4 = /* @__PURE__ */ defineKernel(matmulVec4Wgsl, { M: 'u32', N: 'u32', K: 'u32', sA: 'u32', sB: 'u32', z0: 'u32' }, { A: 'read vec4<f32>', B: 'read vec4<f32>', C: 'read_write vec4<f32>' });
const MATMUL_STRIDED = /* @__PURE__ */ defineKernel(matmulStridedWgsl, { M: 'u32', N: 'u32', K: 'u32', sA: 'u32', sAm: 'u32', sAk: 'u32', sB: 'u32', sBk: 'u32', sBn: 'u32', z0: 'u32' }, { A: 'read f32', B: 'read f32', C: 'read_write f32' });
const LINEAR = /* @__PURE__ */ defineKernel(linearWgsl, { M: 'u32', N: 'u32', K: 'u32', act: 'u32', save_pre: 'u32' }, { X: 'read {{XTYPE}}', W: 'read {{XTYPE}}', Bias: 'read f32', Y: 'read_write f32', PRE: 'read_write f32' });
const LINEAR_SMALL = /* @__PURE__ */ defineKernel(linearSmallWgsl, { M: 'u32', N: 'u32', K: 'u32', act: 'u32', save_pre: 'u32' }, { X: 'read f32', W: 'read f32', Bias: 'read f32', Y: 'read_write f32', PRE: 'read_write f32' });
const LINEAR_BACKWARD_SMALL = /* @__PURE__ */ defineKernel(linearBackwardSmallWgsl, { M: 'u32', N: 'u32', K: 'u32', act: 'u32', nx: 'u32', nw: 'u32', nb: 'u32' }, { G: 'read f32', S: 'read f32', X: 'read f32', W: 'read f32', DX: 'read_write f32', DW: 'read_write f32', DB: 'read_write f32' });

/** The kernel call on contiguous operands: batch strides are m*k (n*k) or 0 for a shared operand. */
function matmulKernel(a: Tensor, b: Tensor, m: number, k: number, n: number, batch: number, shareA: boolean, shareB: boolean, out: number[]): Tensor {
  if (!k && sizeOf(out)) return zeros(out); // sums of nothing (and an empty operand cannot be bound as vec4)
  const c = empty(out);
  if (!c.size) return c;
  const r = rt();
  const sA = shareA ? 0 : m * k;
  const sB = shareB ? 0 : k * n;
  const bindings = { A: view(a), B: view(b), C: view(c) };
  if (kernelVariant('matmul', matmulClass(m, k, n)) === 'tiled') {
    r.runBatches(MATMUL_TILED, {}, bindings, { M: m, N: n, K: k, sA, sB }, [Math.ceil(n / 64), Math.ceil(m / 64), batch]);
  } else if (k % 4 === 0 && n % 4 === 0) {
    const [wx, wy] = registerWorkgroup();
    r.runBatches(MATMUL_VEC4, { WG_X: wx, WG_Y: wy }, bindings, { M: m, N: n, K: k, sA, sB }, [Math.ceil(n / 8 / wx), Math.ceil(m / 16 / wy), batch]);
  } else {
    r.runBatches(MATMUL_STRIDED, {}, bindings, { M: m, N: n, K: k, sA, sAm: k, sAk: 1, sB, sBk: n, sBn: 1 }, [Math.ceil(n / 32), Math.ceil(m / 32), batch]);
  }
  return c;
}

/** Products up to this many multiply-adds read a transposed operand in place (matmulT), and a linear layer
 * this small runs one output per invocation, its backward in one dispatch (linear_small.wgsl,
 * linear_backward_small.wgsl). Above it the register-blocked and tiled kernels are faster. */
const SMALL_PRODUCT = 1 << 16;

/**
 * op(a) @ op(b) for 2-D a and b, op being a transpose where asked: the backward passes' dA = g B^T and
 * dB = A^T g. A small product reads the transposed operand in place through the strided kernel's strides:
 * a materialised transpose is a dispatch of its own, which costs more there than strided loads (a tiny
 * MLP's step has three). A larger one is transposed first, for the contiguous kernels' faster loads.
 */
function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = transB ? b.shape[0] : b.shape[1];
  // Through the op table when the product is large, on the reference backend, or recorded for a higher
  // derivative (backward with createGraph runs this rule with gradients on: matmul's entry is { ops: true }).
  const recorded = isGradEnabled() && (a.requiresGrad || b.requiresGrad);
  if (m * n * k > SMALL_PRODUCT || recorded || isReferenceMode()) return matmul(transA ? transpose(a) : a, transB ? transpose(b) : b);
  const c = empty([m, n]);
  if (!c.size) return c;
  rt().runBatches(MATMUL_STRIDED, {}, { A: view(a), B: view(b), C: view(c) }, { M: m, N: n, K: k, sA: 0, sAm: transA ? 1 : k, sAk: transA ? m : 1, sB: 0, sBk: transB ? 1 : n, sBn: transB ? k : 1 }, [Math.ceil(n / 32), Math.ceil(m / 32), 1]);
  return c;
}

export const matmulDefs: Ops<keyof MatmulAttrs> = /* @__PURE__ */ defineOps(() => ({
  matmul: {
    infer([a, b]) {
      checkDType('matmul', a, 'f32', 'first input');
      checkDType('matmul', b, 'f32', 'second input');
      const { m, n, batch } = matmulShapes(a.shape, b.shape);
      return { shape: [...batch, m, n], dtype: 'f32' };
    },
    forward([a, b], _attrs, save) {
      const { m, k, n, batch } = matmulShapes(a.shape, b.shape);
      const nb = sizeOf(batch);
      // An operand whose batch is the full batch or a single matrix is read in place (stride m*k or 0);
      // any other broadcast pattern is materialised first.
      const toBatch = (t: Tensor, rows: number, cols: number) => (sameShape(t.shape.slice(0, -2), batch) || sizeOf(t.shape.slice(0, -2)) === 1 ? t : expand(t, [...batch, rows, cols]));
      const ea = toBatch(a, m, k);
      const eb = toBatch(b, k, n);
      const c = matmulKernel(ea, eb, m, k, n, nb, sizeOf(ea.shape.slice(0, -2)) !== nb || nb === 1, sizeOf(eb.shape.slice(0, -2)) !== nb || nb === 1, [...batch, m, n]);
      if (ea !== a) ea.dispose();
      if (eb !== b) eb.dispose();
      save(a);
      save(b);
      return c;
    },
    backward(g, [a, b], _attrs, [ia, ib]) {
      // dA = g @ B^T, dB = A^T @ g, summed over broadcast batch dimensions; only for inputs that need them.
      const ga = !ia.requiresGrad ? null : g.ndim === 2 && b.ndim === 2 ? matmulT(g, b, false, true) : sumTo(matmul(g, transpose(b)), a.shape);
      if (!ib.requiresGrad) return [ga, null];
      let gb: Tensor;
      if (b.ndim === 2 && a.ndim > 2) {
        // A shared B: one matmul over the flattened batch instead of a batch of them and a sum.
        const a2 = reshape(a, [-1, a.shape[a.ndim - 1]]);
        const g2 = reshape(g, [-1, g.shape[g.ndim - 1]]);
        gb = matmulT(a2, g2, true, false);
      } else gb = a.ndim === 2 && g.ndim === 2 ? matmulT(a, g, true, false) : matmul(transpose(a), g);
      return [ga, sumTo(gb, b.shape)];
    },
    reference([a, b]) {
      const { m, k, n, batch } = matmulShapes(a.shape, b.shape);
      const nb = sizeOf(batch);
      const out = f64([...batch, m, n]);
      const idx = (shape: number[], i: number) => {
        // offset of batch i (of the broadcast batch) in an operand with its own batch shape
        const own = shape.slice(0, -2);
        let rest = i, off = 0, stride = 1;
        for (let d = batch.length - 1; d >= 0; d--) {
          const c = rest % batch[d];
          rest = Math.floor(rest / batch[d]);
          const od = own.length - batch.length + d;
          if (od >= 0) {
            if (own[od] !== 1) off += c * stride;
            stride *= own[od];
          }
        }
        return off;
      };
      for (let bi = 0; bi < nb; bi++) {
        const oa = idx(a.shape, bi) * m * k, ob = idx(b.shape, bi) * k * n, oc = bi * m * n;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a.data[oa + i * k + p] * b.data[ob + p * n + j];
            out.data[oc + i * n + j] = s;
          }
      }
      return out;
    },
  } satisfies OpDef<Attrs['matmul']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  matmul: { ops: true },
}));

export const matmul = (a: Tensor, b: Tensor): Tensor => apply(matmulDefs.matmul, [a, b], {});

// ---- linear: matmul + bias + activation in one kernel (linear.wgsl) ---------------------------------

const ACT = { none: 0, relu: 1, geluTanh: 2, gelu: 3 } as const;

/** Defines of the register-blocked X W^T kernels (linear.wgsl, linear_block.wgsl's users) for K features. */
export function linearBlockDefines(K: number) {
  const vec4 = K % 4 === 0;
  const [wx, wy] = registerWorkgroup();
  return { VEC4: String(vec4), XTYPE: vec4 ? 'vec4<f32>' : 'f32', DOT: vec4 ? 'return dot(a, b);' : 'return a * b;', WG_X: wx, WG_Y: wy };
}

/** x W^T + b into a new [M, N] tensor, x given as a binding of M rows (e.g. a chunk of a larger tensor's
 * rows): no activation, no autograd (for kernels that compose the linear kernel, like the fused losses). */
export function linearOnView(x: BufferView, M: number, w: Tensor, b: Tensor): Tensor {
  const [N, K] = w.shape;
  const y = empty([M, N]);
  const pre = empty([1]);
  const d = linearBlockDefines(K);
  rt().run(LINEAR, d, { X: x, W: view(w), Bias: view(b), Y: view(y), PRE: view(pre) }, { M, N, K, act: 0, save_pre: 0 }, [Math.ceil(N / 8 / d.WG_X), Math.ceil(M / 16 / d.WG_Y)]);
  pre.dispose();
  return y;
}

/** The small linear layer's gradients in one dispatch (linear_backward_small.wgsl); null for those not needed. */
function linearBackwardSmall(g: Tensor, x: Tensor, w: Tensor, saved: Tensor, activation: LinearActivation, [needX, needW, needB]: boolean[]): (Tensor | null)[] {
  const [N, K] = w.shape;
  const M = sizeOf(x.shape.slice(0, -1));
  // Writable bindings may not alias: a gradient nobody needs gets a 1-element stand-in, freed after.
  const dx = empty(needX ? x.shape : [1]);
  const dw = empty(needW ? w.shape : [1]);
  const db = empty(needB ? [N] : [1]);
  const nx = needX ? M * K : 0;
  const nw = needW ? N * K : 0;
  const nb = needB ? N : 0;
  if (nx + nw + nb) {
    // Without an activation S is never read: g stands in for it.
    const s = activation === 'none' ? g : saved;
    const r = rt();
    r.run(LINEAR_BACKWARD_SMALL, {}, { G: view(g), S: view(s), X: view(x), W: view(w), DX: view(dx), DW: view(dw), DB: view(db) }, { M, N, K, act: ACT[activation], nx, nw, nb }, r.groups1d(nx + nw + nb, 64));
  }
  return [dx, dw, db].map((t, i) => ([needX, needW, needB][i] ? t : (t.dispose(), null)));
}

export const linearDefs: Ops<keyof LinearAttrs> = /* @__PURE__ */ defineOps(() => ({
  linear: {
    infer([x, w, b]) {
      checkDType('linear', x, 'f32', 'input');
      checkDType('linear', w, 'f32', 'weight');
      checkDType('linear', b, 'f32', 'bias');
      const K = x.shape[x.ndim - 1];
      if (x.ndim < 1 || w.ndim !== 2 || w.shape[1] !== K || b.ndim !== 1 || b.shape[0] !== w.shape[0]) {
        throw new Error(`linear: expects x [..., ${K}], weight [out, ${K}] and bias [out], got ${shapeStr(x.shape)}, ${shapeStr(w.shape)} and ${shapeStr(b.shape)}`);
      }
      return { shape: [...x.shape.slice(0, -1), w.shape[0]], dtype: 'f32' };
    },
    forward([x, w, b], { activation }, save) {
      const K = x.shape[x.ndim - 1];
      const N = w.shape[0];
      const M = sizeOf(x.shape.slice(0, -1)); // not x.size / K: K may be 0
      const y = empty([...x.shape.slice(0, -1), N]);
      // PRE is written only for gelu; otherwise a 1-element stand-in (two writable bindings may not alias)
      const isGelu = activation === 'gelu' || activation === 'geluTanh';
      const pre = empty(isGelu ? y.shape : [1]);
      if (y.size) {
        const r = rt();
        const params = { M, N, K, act: ACT[activation], save_pre: isGelu ? 1 : 0 };
        const bindings = { X: view(x), W: view(w), Bias: view(b), Y: view(y), PRE: view(pre) };
        // (and K = 0, which the register block cannot bind: Y = act(b) on every row)
        if (M * N * K <= SMALL_PRODUCT) r.run(LINEAR_SMALL, {}, bindings, params, r.groups1d(M * N, 64));
        else {
          const defines = linearBlockDefines(K);
          r.run(LINEAR, defines, bindings, params, [Math.ceil(N / 8 / defines.WG_X), Math.ceil(M / 16 / defines.WG_Y)]);
        }
      }
      save(x);
      save(w);
      save(isGelu ? pre : y); // relu's derivative comes from y, gelu's from the pre-activation
      pre.dispose();
      return y;
    },
    backward(g, [x, w, saved], { activation }, [ix, iw, ib]) {
      // gz = g * act'(.), then dX = gz W, dW = gz^T X (over all leading rows), db = column sums of gz.
      const K = w.shape[1];
      const N = w.shape[0];
      const M = sizeOf(x.shape.slice(0, -1));
      // A small (or empty: M or K is 0) layer's gradients come from one kernel. Recorded for a higher
      // derivative (createGraph), or on the reference backend, they are composed of ops as below.
      const recorded = isGradEnabled() && (g.requiresGrad || x.requiresGrad || w.requiresGrad || saved.requiresGrad);
      if (M * N * K <= SMALL_PRODUCT && !recorded && !isReferenceMode()) return linearBackwardSmall(g, x, w, saved, activation, [ix.requiresGrad, iw.requiresGrad, ib.requiresGrad]);
      let gz = g;
      if (activation !== 'none') {
        gz = empty(g.shape);
        const deriv = { relu: 'select(0.0, g, x > 0.0)', gelu: 'g * gelu_erf_grad(x)', geluTanh: 'g * gelu_tanh_grad(x)' }[activation];
        unaryBackward(deriv, saved, saved, g, gz);
      }
      const g2 = reshape(gz, [-1, N]);
      const x2 = reshape(x, [-1, K]);
      // Only the gradients some input needs: the first layer's input (the data) has none.
      const dx = ix.requiresGrad ? reshape(matmul(g2, w), x.shape) : null;
      const dw = iw.requiresGrad ? matmulT(g2, x2, true, false) : null;
      const db = ib.requiresGrad ? sumTo(g2, [N]) : null;
      return [dx, dw, db];
    },
    reference([x, w, b], { activation }) {
      const K = w.shape[1];
      const N = w.shape[0];
      const M = sizeOf(x.shape.slice(0, -1));
      const out = f64([...x.shape.slice(0, -1), N]);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = b.data[n];
          for (let k = 0; k < K; k++) s += x.data[m * K + k] * w.data[n * K + k];
          out.data[m * N + n] = activation === 'relu' ? Math.max(s, 0) : activation === 'gelu' ? gelu64(s) : activation === 'geluTanh' ? gelu64(s, 'tanh') : s;
        }
      return out;
    },
  } satisfies OpDef<Attrs['linear']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  linear: recompute((xs, { activation }) => activate(xs[2] ? add(matmul(xs[0], transpose(xs[1])), xs[2]) : matmul(xs[0], transpose(xs[1])), activation)),
}));

/** act(x W^T + b) in one kernel: x [..., in], weight [out, in] (PyTorch's layout), bias [out]; 'gelu' is the
 * exact GELU (PyTorch's default), 'geluTanh' its tanh approximation. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor, activation: LinearActivation = 'none'): Tensor {
  if (!(activation in ACT)) throw new Error(`linear: activation must be none, relu, gelu or geluTanh, got '${activation}'`);
  return apply(linearDefs.linear, [x, weight, bias], { activation });
}

// Tensor methods (a.matmul(...) reads as matmul(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    matmul(b: Tensor): Tensor;
  }
}
tensorMethods({
  matmul(b: Tensor) { return matmul(this, b); },
});
