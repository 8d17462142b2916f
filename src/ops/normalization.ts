// Normalisation over channels and groups: batchNorm (batch_norm_stats, batch_norm, batch_norm_backward_reduce,
// batch_norm_backward), groupNorm and rmsNorm (group_norm, group_norm_backward). layerNorm is in transformer.ts.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { full } from '../creation.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { isReferenceMode } from '../backend.js';
import { checkOptions } from '../options.js';
import batchNormStatsWgsl from '../../shaders/batch_norm_stats.wgsl';
import batchNormWgsl from '../../shaders/batch_norm.wgsl';
import batchNormBackwardReduceWgsl from '../../shaders/batch_norm_backward_reduce.wgsl';
import batchNormBackwardWgsl from '../../shaders/batch_norm_backward.wgsl';
import groupNormWgsl from '../../shaders/group_norm.wgsl';
import groupNormBackwardWgsl from '../../shaders/group_norm_backward.wgsl';
import { add, mul, sub } from './binary.js';
import { mean } from './reduce.js';
import { pow } from './unary.js';
import { reshape } from './movement.js';
import { recompute } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface NormalizationAttrs {
  // per-channel (batch) and per-group statistics; RMS over the last axis
  batchNorm: { training: boolean; momentum: number; eps: number };
  groupNorm: { groups: number; eps: number };
  rmsNorm: { eps: number };
}
declare module './def.js' {
  interface Attrs extends NormalizationAttrs {}
}

const BN_STATS = /* @__PURE__ */ defineKernel(batchNormStatsWgsl, { N: 'u32', C: 'u32', S: 'u32', mode: 'u32', momentum: 'f32', eps: 'f32' }, { X: 'read f32', RM: 'read_write f32', RV: 'read_write f32', MEAN: 'read_write f32', RSTD: 'read_write f32' });
const BN_APPLY = /* @__PURE__ */ defineKernel(batchNormWgsl, { n: 'u32', C: 'u32', S: 'u32' }, { X: 'read f32', MEAN: 'read f32', RSTD: 'read f32', Wt: 'read f32', Bias: 'read f32', Y: 'read_write f32' });
const BN_REDUCE = /* @__PURE__ */ defineKernel(batchNormBackwardReduceWgsl, { N: 'u32', C: 'u32', S: 'u32' }, { X: 'read f32', G: 'read f32', MEAN: 'read f32', RSTD: 'read f32', DW: 'read_write f32', DB: 'read_write f32' });
const BN_BACKWARD = /* @__PURE__ */ defineKernel(batchNormBackwardWgsl, { n: 'u32', N: 'u32', C: 'u32', S: 'u32', training: 'u32' }, { X: 'read f32', G: 'read f32', MEAN: 'read f32', RSTD: 'read f32', Wt: 'read f32', SG: 'read f32', SGX: 'read f32', DX: 'read_write f32' });
const GROUP_NORM = /* @__PURE__ */ defineKernel(groupNormWgsl, { N: 'u32', G: 'u32', Cg: 'u32', S: 'u32', eps: 'f32' }, { X: 'read f32', Wt: 'read f32', Bias: 'read f32', Y: 'read_write f32', MEAN: 'read_write f32', RSTD: 'read_write f32' });
const GROUP_NORM_BACKWARD = /* @__PURE__ */ defineKernel(groupNormBackwardWgsl, { N: 'u32', G: 'u32', Cg: 'u32', S: 'u32' }, { X: 'read f32', Wt: 'read f32', G: 'read f32', MEAN: 'read f32', RSTD: 'read f32', DX: 'read_write f32', DW: 'read_write f32', DB: 'read_write f32' });

/** [N, C, S] of a batch-norm input [N, C] or [N, C, ...]. */
function channelsView(x: readonly number[]) {
  return { N: x[0], C: x[1], S: x.slice(2).reduce((a, b) => a * b, 1) };
}

/** Per-row statistics in float64: rows of length L, mean (0 for RMS) and 1 / sqrt(variance + eps). */
function rowStats(data: Float64Array, base: number, L: number, eps: number, rms: boolean) {
  let mean = 0;
  if (!rms) {
    for (let e = 0; e < L; e++) mean += data[base + e];
    mean /= L;
  }
  let sq = 0;
  for (let e = 0; e < L; e++) sq += (data[base + e] - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(sq / L + eps) };
}

function checkParam(op: string, t: Tensor, C: number, what: string, x: Tensor) {
  checkDType(op, t, 'f32', what);
  if (t.ndim !== 1 || t.shape[0] !== C) throw new Error(`${op}: ${what} must be [${C}] for input ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
}

export const normalizationDefs: Ops<keyof NormalizationAttrs> = /* @__PURE__ */ defineOps(() => ({
  batchNorm: {
    // inputs: x, weight, bias, then runningMean and runningVar when given
    infer([x, w, b, rm, rv], a) {
      checkDType('batchNorm', x, 'f32');
      if (x.ndim < 2) throw new Error(`batchNorm: input must be [N, C] or [N, C, ...], got ${shapeStr(x.shape)}`);
      const C = x.shape[1];
      checkParam('batchNorm', w, C, 'weight', x);
      checkParam('batchNorm', b, C, 'bias', x);
      if (rm) checkParam('batchNorm', rm, C, 'runningMean', x);
      if (rv) checkParam('batchNorm', rv, C, 'runningVar', x);
      if (!a.training && !rm) throw new Error('batchNorm: eval mode (training: false) needs runningMean and runningVar');
      const { N, S } = channelsView(x.shape);
      if (a.training && N * S === 1) throw new Error(`batchNorm: training needs more than one value per channel, got input ${shapeStr(x.shape)}`);
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x, w, b, rm, rv], a, save) {
      const { N, C, S } = channelsView(x.shape);
      const mean = empty([C]);
      const rstd = empty([C]);
      const y = empty(x.shape);
      const r = rt();
      // Without running statistics the kernel's RM/RV bindings get stand-ins (writable bindings may not alias).
      const standIn = rm ? null : [empty([1]), empty([1])];
      // An empty batch in training leaves the running statistics alone, as PyTorch does (its mean would be 0/0).
      const mode = !a.training ? 2 : rm && N * S ? 1 : 0;
      if (C) r.run(BN_STATS, {}, { X: view(x), RM: view(rm ?? standIn![0]), RV: view(rv ?? standIn![1]), MEAN: view(mean), RSTD: view(rstd) }, { N, C, S, mode, momentum: a.momentum, eps: a.eps }, [Math.ceil(C / 64)]);
      if (mode === 1) {
        rm.storage().bump('batchNorm');
        rv.storage().bump('batchNorm');
      }
      if (y.size) r.run(BN_APPLY, {}, { X: view(x), MEAN: view(mean), RSTD: view(rstd), Wt: view(w), Bias: view(b), Y: view(y) }, { n: y.size, C, S }, r.groups1d(y.size, 64));
      for (const t of [x, w, mean, rstd]) save(t);
      for (const t of [mean, rstd, ...(standIn ?? [])]) t.dispose();
      return y;
    },
    backward(g, [x, w, mean, rstd], a, [ix, iw, ib]) {
      const { N, C, S } = channelsView(x.shape);
      const r = rt();
      const sgx = empty([C]);
      const sg = empty([C]);
      if (C) r.run(BN_REDUCE, {}, { X: view(x), G: view(g), MEAN: view(mean), RSTD: view(rstd), DW: view(sgx), DB: view(sg) }, { N, C, S }, [Math.ceil(C / 64)]);
      let dx: Tensor | null = null;
      if (ix.requiresGrad) {
        dx = empty(x.shape);
        if (dx.size) r.run(BN_BACKWARD, {}, { X: view(x), G: view(g), MEAN: view(mean), RSTD: view(rstd), Wt: view(w), SG: view(sg), SGX: view(sgx), DX: view(dx) }, { n: dx.size, N, C, S, training: a.training ? 1 : 0 }, r.groups1d(dx.size, 64));
      }
      const dw = iw.requiresGrad ? sgx : (sgx.dispose(), null);
      const db = ib.requiresGrad ? sg : (sg.dispose(), null);
      return [dx, dw, db, null, null];
    },
    reference([x, w, b, rm, rv], a) {
      const { N, C, S } = channelsView(x.shape);
      const out = f64(x.shape);
      for (let c = 0; c < C; c++) {
        let mean: number, rstd: number;
        if (a.training) {
          let total = 0;
          for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) total += x.data[(n * C + c) * S + s];
          mean = total / (N * S);
          let sq = 0;
          for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (x.data[(n * C + c) * S + s] - mean) ** 2;
          rstd = 1 / Math.sqrt(sq / (N * S) + a.eps);
        } else {
          mean = rm.data[c];
          rstd = 1 / Math.sqrt(rv.data[c] + a.eps);
        }
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
          const i = (n * C + c) * S + s;
          out.data[i] = (x.data[i] - mean) * rstd * w.data[c] + b.data[c];
        }
      }
      return out;
    },
  } satisfies OpDef<Attrs['batchNorm']>,

  groupNorm: {
    infer([x, w, b], { groups }) {
      checkDType('groupNorm', x, 'f32');
      if (x.ndim < 2) throw new Error(`groupNorm: input must be [N, C, ...], got ${shapeStr(x.shape)}`);
      const C = x.shape[1];
      if (!Number.isInteger(groups) || groups < 1 || C % groups) throw new Error(`groupNorm: groups (${groups}) must be a positive integer dividing the channels (${C})`);
      checkParam('groupNorm', w, C, 'weight', x);
      checkParam('groupNorm', b, C, 'bias', x);
      return { shape: x.shape, dtype: 'f32' };
    },
    forward: ([x, w, b], { groups, eps }, save) => rowNormForward(x, w, b, { N: x.shape[0], G: groups, Cg: x.shape[1] / groups, S: x.size / (x.shape[0] * x.shape[1] || 1) }, eps, false, save),
    backward: (g, saved, { groups }, inputs) => rowNormBackward(g, saved, inputs, { N: saved[0].shape[0], G: groups, Cg: saved[0].shape[1] / groups, S: saved[0].size / (saved[0].shape[0] * saved[0].shape[1] || 1) }, false),
    reference([x, w, b], { groups, eps }) {
      const [N, C] = x.shape;
      const S = x.data.length / (N * C || 1);
      const L = (C / groups) * S;
      const out = f64(x.shape);
      for (let r = 0; r < N * groups; r++) {
        const { mean, rstd } = rowStats(x.data, r * L, L, eps, false);
        for (let e = 0; e < L; e++) {
          const c = (r % groups) * (C / groups) + Math.floor(e / S);
          out.data[r * L + e] = (x.data[r * L + e] - mean) * rstd * w.data[c] + b.data[c];
        }
      }
      return out;
    },
  } satisfies OpDef<Attrs['groupNorm']>,

  rmsNorm: {
    infer([x, w]) {
      checkDType('rmsNorm', x, 'f32');
      if (x.ndim < 1) throw new Error('rmsNorm: input must have at least one axis');
      checkParam('rmsNorm', w, x.shape[x.ndim - 1], 'weight', x);
      return { shape: x.shape, dtype: 'f32' };
    },
    forward: ([x, w], { eps }, save) => rowNormForward(x, w, w, { N: w.shape[0] ? x.size / w.shape[0] : 0, G: 1, Cg: w.shape[0], S: 1 }, eps, true, save),
    backward: (g, saved, _a, inputs) => rowNormBackward(g, saved, inputs, { N: saved[1].shape[0] ? saved[0].size / saved[1].shape[0] : 0, G: 1, Cg: saved[1].shape[0], S: 1 }, true),
    reference([x, w], { eps }) {
      const D = w.shape[0];
      const out = f64(x.shape);
      for (let r = 0; r < x.data.length / D; r++) {
        const { rstd } = rowStats(x.data, r * D, D, eps, true);
        for (let d = 0; d < D; d++) out.data[r * D + d] = x.data[r * D + d] * rstd * w.data[d];
      }
      return out;
    },
  } satisfies OpDef<Attrs['rmsNorm']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  batchNorm: recompute(([x, w, b], { training, eps }, [, , , rm, rv]) => {
    const C = x.shape[1];
    const per = [1, C, ...x.shape.slice(2).map(() => 1)];
    const axes = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
    // training: the batch statistics (the running ones, written in place by the forward, are not read)
    const centred = training ? sub(x, mean(x, axes, true)) : sub(x, reshape(rm, per));
    const variance = training ? mean(mul(centred, centred), axes, true) : reshape(rv, per);
    return add(mul(mul(centred, pow(add(variance, eps), -0.5)), reshape(w, per)), reshape(b, per));
  }, 3),
  groupNorm: recompute(([x, w, b], { groups, eps }) => {
    const [N, C] = x.shape;
    const xr = reshape(x, [N, groups, -1]);
    const c = sub(xr, mean(xr, 2, true));
    const xn = reshape(mul(c, pow(add(mean(mul(c, c), 2, true), eps), -0.5)), x.shape);
    const perChannel = [1, C, ...x.shape.slice(2).map(() => 1)];
    return add(mul(xn, reshape(w, perChannel)), reshape(b, perChannel));
  }),
  rmsNorm: recompute(([x, w], { eps }) => mul(mul(x, pow(add(mean(mul(x, x), x.ndim - 1, true), eps), -0.5)), w)),
}));

type RowLayout = { N: number; G: number; Cg: number; S: number };

function rowNormForward(x: Tensor, w: Tensor, b: Tensor, l: RowLayout, eps: number, rms: boolean, save: (t: Tensor) => void): Tensor {
  const y = empty(x.shape);
  const rows = l.N * l.G;
  const mean = empty([rows]);
  const rstd = empty([rows]);
  const r = rt();
  if (y.size) r.run(GROUP_NORM, { RMS: String(rms) }, { X: view(x), Wt: view(w), Bias: view(b), Y: view(y), MEAN: view(mean), RSTD: view(rstd) }, { ...l, eps }, r.groups1d(rows, 64));
  for (const t of [x, w, mean, rstd]) save(t);
  mean.dispose();
  rstd.dispose();
  return y;
}

function rowNormBackward(g: Tensor, [x, w, mean, rstd]: Tensor[], inputs: readonly Tensor[], l: RowLayout, rms: boolean): (Tensor | null)[] {
  const dx = empty(x.shape);
  const dw = empty(w.shape);
  const db = empty(w.shape);
  const r = rt();
  // Run even when dx is empty (a batch of 0): the same dispatch writes dW and db, sums over no rows (zeros),
  // and a skipped one would leave them holding a pooled buffer's old values.
  r.run(GROUP_NORM_BACKWARD, { RMS: String(rms) }, { X: view(x), Wt: view(w), G: view(g), MEAN: view(mean), RSTD: view(rstd), DX: view(dx), DW: view(dw), DB: view(db) }, l, r.groups1d(l.N * l.G + l.G * l.Cg, 64));
  if (rms) {
    db.dispose();
    return [dx, inputs[1].requiresGrad ? dw : (dw.dispose(), null)];
  }
  return [dx, dw, db];
}

export interface BatchNormOptions {
  /** Updated in place (training) or used (eval); both or neither. */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  /** Batch statistics (default) or the running ones. */
  training?: boolean;
  /** Weight of the new batch statistics in the running average (PyTorch's convention: 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation of [N, C] or [N, C, H, W] (any trailing axes) per channel, as PyTorch's batch_norm:
 * training normalises with the batch's mean and biased variance and, given running statistics, updates them
 * in place with momentum (the unbiased variance); eval normalises with the running statistics. weight and
 * bias may be null (no affine transform). On the float64 reference backend (gradcheck) the running
 * statistics are read, never written.
 */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  checkOptions('batchNorm', opts, ['runningMean', 'runningVar', 'training', 'momentum', 'eps']);
  const { runningMean = null, runningVar = null, training = true, momentum = 0.1, eps = 1e-5 } = opts;
  if (!runningMean !== !runningVar) throw new Error('batchNorm: give both runningMean and runningVar, or neither');
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`batchNorm: momentum must be in [0, 1], got ${momentum}`);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`batchNorm: eps must be a positive finite number, got ${eps}`);
  if (!(x instanceof Tensor)) throw new Error('batchNorm: expected a Tensor input');
  const C = x.shape[1] ?? 0;
  const w = weight ?? full([C], 1);
  const b = bias ?? full([C], 0);
  // The running statistics are an input only to write them (or to read them in eval); no gradient flows there.
  const running = runningMean && runningVar && !(isReferenceMode() && training) ? [runningMean, runningVar] : [];
  try {
    return apply(normalizationDefs.batchNorm, [x, w, b, ...running], { training, momentum, eps });
  } finally {
    if (!weight) w.dispose();
    if (!bias) b.dispose();
  }
}

/** Group normalisation of [N, C, ...]: statistics per sample over each group of C / groups channels (and
 * all trailing axes), then a per-channel weight and bias, as PyTorch's group_norm. */
export function groupNorm(x: Tensor, groups: number, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`groupNorm: eps must be a positive finite number, got ${eps}`);
  return apply(normalizationDefs.groupNorm, [x, weight, bias], { groups, eps });
}

/** RMS normalisation over the last axis: x / sqrt(mean(x^2) + eps) * weight (PyTorch's rms_norm, LLaMA's). */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`rmsNorm: eps must be a positive finite number, got ${eps}`);
  return apply(normalizationDefs.rmsNorm, [x, weight], { eps });
}
