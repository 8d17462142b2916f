// The Transformer's fused ops: layerNorm (layer_norm.wgsl, layer_norm_backward.wgsl) and attention
// (attention_forward.wgsl, attention_backward_q.wgsl, attention_backward_kv.wgsl).
import { empty, noGrad, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr, sizeOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { matmul } from './matmul.js';
import { transpose } from './movement.js';
import { softmaxRows, softmaxRowsBackward } from './softmax.js';
import { kernelVariant } from '../variants.js';
import { checkOptions } from '../options.js';
import layerNormWgsl from '../../shaders/layer_norm.wgsl';
import layerNormBackwardWgsl from '../../shaders/layer_norm_backward.wgsl';
import attentionForwardWgsl from '../../shaders/attention_forward.wgsl';
import attentionBackwardQWgsl from '../../shaders/attention_backward_q.wgsl';
import attentionBackwardKvWgsl from '../../shaders/attention_backward_kv.wgsl';
import { add, mul, sub } from './binary.js';
import { mean } from './reduce.js';
import { pow } from './unary.js';
import { composedAttention, recompute } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface TransformerAttrs {
  layerNorm: { eps: number };
  attention: { causal: boolean };
}
declare module './def.js' {
  interface Attrs extends TransformerAttrs {}
}

/** The attention kernels' head-dimension defines: rows as vec4 when D is a multiple of 4. */
function headDefines(D: number) {
  return D % 4 === 0 ? { D: D / 4, VD: 'vec4<f32>', DOT: 'return dot(a, b);' } : { D, VD: 'f32', DOT: 'return a * b;' };
}

const LAYER_NORM = /* @__PURE__ */ defineKernel(layerNormWgsl, { rows: 'u32', D: 'u32', eps: 'f32' }, { X: 'read f32', W: 'read f32', Bias: 'read f32', Y: 'read_write f32', MEAN: 'read_write f32', RSTD: 'read_write f32' });
const LAYER_NORM_BACKWARD = /* @__PURE__ */ defineKernel(layerNormBackwardWgsl, { rows: 'u32', D: 'u32' }, { X: 'read f32', W: 'read f32', G: 'read f32', MEAN: 'read f32', RSTD: 'read f32', DX: 'read_write f32', DW: 'read_write f32', DB: 'read_write f32' });
const ATTENTION_FORWARD = /* @__PURE__ */ defineKernel(attentionForwardWgsl, { bh: 'u32', T: 'u32', D: 'u32', scale: 'f32', causal: 'u32' }, { Q: 'read VD', K: 'read VD', V: 'read VD', O: 'read_write VD', LSE: 'read_write f32' });
const ATTENTION_BACKWARD_Q = /* @__PURE__ */ defineKernel(attentionBackwardQWgsl, { bh: 'u32', T: 'u32', D: 'u32', scale: 'f32', causal: 'u32' }, { Q: 'read VD', K: 'read VD', V: 'read VD', O: 'read VD', DO: 'read VD', LSE: 'read f32', DQ: 'read_write VD', DL: 'read_write f32' });
const ATTENTION_BACKWARD_KV = /* @__PURE__ */ defineKernel(attentionBackwardKvWgsl, { bh: 'u32', T: 'u32', D: 'u32', scale: 'f32', causal: 'u32' }, { Q: 'read VD', K: 'read VD', V: 'read VD', DO: 'read VD', LSE: 'read f32', DL: 'read f32', DK: 'read_write VD', DV: 'read_write VD' });

export const transformerDefs: Ops<keyof TransformerAttrs> = /* @__PURE__ */ defineOps(() => ({
  layerNorm: {
    infer([x, w, b]) {
      checkDType('layerNorm', x, 'f32', 'input');
      checkDType('layerNorm', w, 'f32', 'weight');
      checkDType('layerNorm', b, 'f32', 'bias');
      const D = x.shape[x.ndim - 1];
      if (x.ndim < 1 || w.ndim !== 1 || b.ndim !== 1 || w.shape[0] !== D || b.shape[0] !== D) {
        throw new Error(`layerNorm: weight and bias must be [${D}] for input ${shapeStr(x.shape)}, got ${shapeStr(w.shape)} and ${shapeStr(b.shape)}`);
      }
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x, w, b], { eps }, save) {
      const D = x.shape[x.ndim - 1];
      const rows = sizeOf(x.shape.slice(0, -1)); // not x.size / D: D may be 0
      const y = empty(x.shape);
      const mean = empty([rows]);
      const rstd = empty([rows]);
      const r = rt();
      if (rows) r.run(LAYER_NORM, {}, { X: view(x), W: view(w), Bias: view(b), Y: view(y), MEAN: view(mean), RSTD: view(rstd) }, { rows, D, eps }, r.groups1d(rows, 64));
      for (const t of [x, w, mean, rstd]) save(t);
      mean.dispose();
      rstd.dispose();
      return y;
    },
    backward(g, [x, w, mean, rstd]) {
      const D = w.shape[0];
      const rows = sizeOf(x.shape.slice(0, -1));
      const dx = empty(x.shape);
      const dw = empty([D]);
      const db = empty([D]);
      const r = rt();
      r.run(LAYER_NORM_BACKWARD, {}, { X: view(x), W: view(w), G: view(g), MEAN: view(mean), RSTD: view(rstd), DX: view(dx), DW: view(dw), DB: view(db) }, { rows, D }, r.groups1d(rows + D, 64));
      return [dx, dw, db];
    },
    reference([x, w, b], { eps }) {
      const D = w.shape[0];
      const out = f64(x.shape);
      for (let r = 0; r < sizeOf(x.shape.slice(0, -1)); r++) {
        let m = 0;
        for (let d = 0; d < D; d++) m += x.data[r * D + d];
        m /= D;
        let v = 0;
        for (let d = 0; d < D; d++) v += (x.data[r * D + d] - m) ** 2;
        const rstd = 1 / Math.sqrt(v / D + eps);
        for (let d = 0; d < D; d++) out.data[r * D + d] = (x.data[r * D + d] - m) * rstd * w.data[d] + b.data[d];
      }
      return out;
    },
  } satisfies OpDef<Attrs['layerNorm']>,

  attention: {
    infer([q, k, v]) {
      for (const [t, n] of [[q, 'q'], [k, 'k'], [v, 'v']] as const) checkDType('attention', t, 'f32', n);
      if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4 || q.shape.some((d, i) => d !== k.shape[i] || d !== v.shape[i])) {
        throw new Error(`attention: q, k and v must all be [B, H, T, D], got ${shapeStr(q.shape)}, ${shapeStr(k.shape)} and ${shapeStr(v.shape)}`);
      }
      if (q.shape[3] > 128) throw new Error(`attention: head dimension D must be at most 128, got ${q.shape[3]}`);
      return { shape: q.shape, dtype: 'f32' };
    },
    forward([q, k, v], { causal }, save) {
      const [B, H, T, D] = q.shape;
      if (kernelVariant('attention') === 'scores') {
        // The scores variant (CPU-like adapters): S = Q K^T on the register-blocked matmul, one masked,
        // scaled softmax kernel for P, then P V. O(T^2) memory per head, like the unfused composition.
        const p = noGrad(() => {
          const kt = transpose(k);
          const s = matmul(q, kt);
          kt.dispose();
          const probs = softmaxRows(s, [B * H * T, T, 1], { scale: 1 / Math.sqrt(D), causalT: causal ? T : 0 });
          s.dispose();
          return probs;
        });
        const o = noGrad(() => matmul(p, v));
        for (const t of [q, k, v, p]) save(t);
        p.dispose();
        return o;
      }
      const o = empty(q.shape);
      const lse = empty([B, H, T]);
      const r = rt();
      if (o.size) {
        r.run(ATTENTION_FORWARD, headDefines(D), { Q: view(q), K: view(k), V: view(v), O: view(o), LSE: view(lse) }, { bh: B * H, T, D, scale: 1 / Math.sqrt(D), causal: causal ? 1 : 0 }, r.groups1d(B * H * T, 64));
      }
      for (const t of [q, k, v, o, lse]) save(t);
      lse.dispose();
      return o;
    },
    backward(g, saved, { causal }) {
      const [q, k, v] = saved;
      const [B, H, T, D] = q.shape;
      if (saved.length === 4) {
        // scores variant (it saved P): dV = P^T dO, dP = dO V^T, dS = softmax backward * scale,
        // dQ = dS K, dK = dS^T Q. Masked entries of P are exact zeros, so they pass no gradient.
        const p = saved[3];
        const pt = transpose(p);
        const dv = matmul(pt, g);
        pt.dispose();
        const vt = transpose(v);
        const dp = matmul(g, vt);
        vt.dispose();
        const ds = softmaxRowsBackward(p, dp, [B * H * T, T, 1], { scale: 1 / Math.sqrt(D) });
        dp.dispose();
        const dq = matmul(ds, k);
        const dst = transpose(ds);
        const dk = matmul(dst, q);
        for (const t of [ds, dst]) t.dispose();
        return [dq, dk, dv];
      }
      const [o, lse] = [saved[3], saved[4]];
      const dq = empty(q.shape);
      const dk = empty(q.shape);
      const dv = empty(q.shape);
      const dl = empty([B * H * T]);
      const r = rt();
      const p = { bh: B * H, T, D, scale: 1 / Math.sqrt(D), causal: causal ? 1 : 0 };
      const groups = r.groups1d(B * H * T, 64);
      r.run(ATTENTION_BACKWARD_Q, headDefines(D), { Q: view(q), K: view(k), V: view(v), O: view(o), DO: view(g), LSE: view(lse), DQ: view(dq), DL: view(dl) }, p, groups);
      r.run(ATTENTION_BACKWARD_KV, headDefines(D), { Q: view(q), K: view(k), V: view(v), DO: view(g), LSE: view(lse), DL: view(dl), DK: view(dk), DV: view(dv) }, p, groups);
      dl.dispose();
      return [dq, dk, dv];
    },
    reference([q, k, v], { causal }) {
      const [B, H, T, D] = q.shape;
      const out = f64(q.shape);
      const scale = 1 / Math.sqrt(D);
      for (let bh = 0; bh < B * H; bh++) {
        const base = bh * T * D;
        for (let i = 0; i < T; i++) {
          const end = causal ? i + 1 : T;
          const s = new Float64Array(end);
          let mx = -Infinity;
          for (let j = 0; j < end; j++) {
            let dot = 0;
            for (let d = 0; d < D; d++) dot += q.data[base + i * D + d] * k.data[base + j * D + d];
            s[j] = dot * scale;
            mx = Math.max(mx, s[j]);
          }
          let sum = 0;
          for (let j = 0; j < end; j++) sum += (s[j] = Math.exp(s[j] - mx));
          for (let j = 0; j < end; j++) for (let d = 0; d < D; d++) out.data[base + i * D + d] += (s[j] / sum) * v.data[base + j * D + d];
        }
      }
      return out;
    },
  } satisfies OpDef<Attrs['attention']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  layerNorm: recompute(([x, w, b], { eps }) => {
    const axis = x.ndim - 1;
    const mu = mean(x, axis, true);
    const c = sub(x, mu);
    const inv = pow(add(mean(mul(c, c), axis, true), eps), -0.5);
    return add(mul(mul(c, inv), w), b);
  }),
  attention: recompute(([q, k, v], { causal }) => composedAttention(q, k, v, causal)),
}));

/** Layer norm over the last axis: (x - mean) / sqrt(var + eps) * weight + bias. */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`layerNorm: eps must be a positive finite number, got ${eps}`);
  return apply(transformerDefs.layerNorm, [x, weight, bias], { eps });
}

/** Scaled dot-product attention softmax(q k^T / sqrt(D)) v for [B, H, T, D], fused (flash-style). */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: { causal?: boolean } = {}): Tensor {
  checkOptions('attention', opts, ['causal']);
  return apply(transformerDefs.attention, [q, k, v], { causal: opts.causal ?? false });
}
