// Losses on logits. Each has one fused kernel that computes the per-row loss and, when the logits need
// a gradient, writes dL/dlogits in the same pass (kept for backward, where it is scaled by the upstream
// gradient). A mean or sum takes one more small dispatch. `{ fused: false }` composes the same loss from
// logSoftmax, pick, exp, ... through autograd instead, so that fusion can be measured and checked.
//
// Multiclass, p = softmax(z), all with dL_i/dz_c = coef_i (p_c - onehot(y_i)_c):
//   crossEntropy:  -log p_y                           coef = 1
//   focalLoss:     -alpha (1 - p_y)^gamma log p_y     coef = alpha q^gamma (1 - gamma p_y log p_y / q), q = 1 - p_y
//   rootedLoss:    m (1 - p_y^(1/k))                  coef = (m/k) p_y^(1/k)
// Binary, s = 2y - 1:
//   rootedLogisticLoss:  k ((1 + e^(-s z))^(1/k) - 1)   dL/dz = -s sigmoid(-s z) (1 + e^(-s z))^(1/k)
//   binaryCrossEntropy:  log(1 + e^(-s z))              dL/dz = -s sigmoid(-s z)
import { empty, isUnitSeed, tidy, Tensor } from '../tensor.js';
import { refTensor, isReferenceMode } from '../backend.js';
import { kernelVariant } from '../variants.js';
import { rt } from '../runtime.js';
import { defineKernel, type BindingDecl, type KernelDecl } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { checkOptions } from '../options.js';
import { defineOps, type Attrs, type F64, type OpDef, type Ops, type Reduction } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { checkIndices, pick } from './gather.js';
import { affine, exp, neg, pow, softplus } from './unary.js';
import { add, div, maximum, mul } from './binary.js';
import { ne, where } from './masks.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { reshape } from './movement.js';
import { cast } from './cast.js';
import lossRowsWorkgroupWgsl from '../../shaders/loss_rows_workgroup.wgsl';
import lossRowsThreadWgsl from '../../shaders/loss_rows_thread.wgsl';
import lossRowsThreadVec4Wgsl from '../../shaders/loss_rows_thread_vec4.wgsl';
import lossBinaryWgsl from '../../shaders/loss_binary.wgsl';
import crossEntropyFusedWgsl from '../../shaders/cross_entropy_fused.wgsl';
import focalLossFusedWgsl from '../../shaders/focal_loss_fused.wgsl';
import rootedLossFusedWgsl from '../../shaders/rooted_loss_fused.wgsl';
import rootedLogisticFusedWgsl from '../../shaders/rooted_logistic_fused.wgsl';
import binaryCrossEntropyFusedWgsl from '../../shaders/binary_cross_entropy_fused.wgsl';
import { reduceDefs } from './reduce.js';
import { recompute } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface LossAttrs {
  // multiclass: rows whose label is ignoreIndex add nothing, and a mean is over the others
  crossEntropy: { reduction: Reduction; ignoreIndex: number; labelSmoothing: number };
  focalLoss: { reduction: Reduction; alpha: number; gamma: number; ignoreIndex: number };
  rootedLoss: { reduction: Reduction; k: number; m: number; ignoreIndex: number };
  rootedLogisticLoss: { reduction: Reduction; k: number };
  binaryCrossEntropy: { reduction: Reduction };
}
declare module './def.js' {
  interface Attrs extends LossAttrs {}
}

/** The built-in multiclass losses' row bodies, which the row kernels include by the {{LOSS}} define. */
export const ROW_BODIES = [crossEntropyFusedWgsl, focalLossFusedWgsl, rootedLossFusedWgsl];

export interface LossOptions {
  reduction?: Reduction;
  /** false: compose from primitive ops through autograd instead of the fused kernel. */
  fused?: boolean;
}

/** The rows' losses reduced. The mean over no rows is 0 (their sum), as over all-ignored rows, fused or not. */
function reduceRows(op: string, rows: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return rows;
  const out = reduction === 'mean' && rows.size ? mean(rows) : sum(rows);
  rows.dispose();
  return out;
}

/** dL/dz kept from the forward pass, times the upstream gradient (a scalar, or one value per row for 'none').
 * When the loss is the root of backward, g is the engine's seed of ones: dz is the gradient as it is. */
export function scaleGrad(dz: Tensor, g: Tensor): Tensor {
  if (isUnitSeed(g)) return dz.detach();
  if (g.ndim === 0 || dz.ndim === 1) return mul(dz, g);
  const g2 = reshape(g, [g.size, 1]);
  return mul(dz, g2);
}

export function checkMulticlass(op: string, z: Tensor, y: Tensor, ignoreIndex: number): void {
  checkDType(op, z, 'f32', 'logits');
  checkDType(op, y, 'i32', 'labels');
  if (z.ndim !== 2) throw new Error(`${op}: logits must be [N, C], got ${shapeStr(z.shape)}`);
  if (y.ndim !== 1 || y.shape[0] !== z.shape[0]) throw new Error(`${op}: labels must be [N] = [${z.shape[0]}] for logits ${shapeStr(z.shape)}, got ${shapeStr(y.shape)}`);
  if (z.shape[1] < 1) throw new Error(`${op}: logits need at least one class, got ${shapeStr(z.shape)}`);
  checkIndices(op, y, z.shape[1], 'label', ignoreIndex);
}

function checkBinary(op: string, z: Tensor, y: Tensor): void {
  checkDType(op, z, 'f32', 'logits');
  checkDType(op, y, 'i32', 'labels');
  if (z.ndim !== 1) throw new Error(`${op}: logits must be [N], got ${shapeStr(z.shape)}`);
  if (y.ndim !== 1 || y.shape[0] !== z.shape[0]) throw new Error(`${op}: labels must be [N] = [${z.shape[0]}] for logits ${shapeStr(z.shape)}, got ${shapeStr(y.shape)}`);
  const h = y.host;
  if (!h) return;
  for (let i = 0; i < h.length; i++) if (h[i] !== 0 && h[i] !== 1) throw new Error(`${op}: labels must be 0 or 1, got ${h[i]} at position ${i}`);
  rt().guard(() => y.host!.every((v) => v === 0 || v === 1));
}

export function checkPositive(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${op}: ${name} must be a positive finite number, got ${v}`);
}

export function checkReduction(op: string, r: Reduction): void {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
}

/** The shared shape of every fused loss: one dispatch writes the per-row losses and, when a gradient is
 * wanted, dL/dz (scaled for the reduction) in the same pass; backward only scales dL/dz by g. */
function fusedDef<A extends { reduction: Reduction }>(spec: {
  check: (z: Tensor, y: Tensor, attrs: A) => void;
  /** The rows a mean is over (multiclass: those not ignored), from host-known labels. */
  counted: (y: Tensor, attrs: A) => number;
  dispatch: (z: Tensor, y: Tensor, rows: Tensor, dz: Tensor, scale: number, needsGrad: boolean, attrs: A) => void;
  reference: (z: F64, y: F64, attrs: A) => Float64Array;
  op: string;
}): OpDef<A> {
  return {
    infer([z, y], attrs) {
      spec.check(z, y, attrs);
      return { shape: attrs.reduction === 'none' ? [z.shape[0]] : [], dtype: 'f32' };
    },
    forward([z, y], attrs, save, needsGrad) {
      const N = z.shape[0];
      const rows = empty([N]);
      const dz = needsGrad ? empty(z.shape) : empty([4]); // a stand-in when no gradient is written (16 bytes: one vec4)
      // a mean over no rows (every label ignored, or a batch of none) is 0, with zero gradients (PyTorch gives NaN)
      const count = attrs.reduction === 'mean' ? spec.counted(y, attrs) : 1;
      const scale = attrs.reduction === 'mean' ? (count ? 1 / count : 0) : 1;
      if (N) spec.dispatch(z, y, rows, dz, scale, needsGrad, attrs);
      save(dz);
      dz.dispose();
      if (attrs.reduction === 'mean' && count !== N) {
        const out = apply(reduceDefs.sum, [rows], { axis: null, keepdim: false, scale });
        rows.dispose();
        return out;
      }
      return reduceRows(spec.op, rows, attrs.reduction);
    },
    backward(g, [dz]) {
      return [scaleGrad(dz, g), null];
    },
    reference([z, y], attrs) {
      const rows = spec.reference(z, y, attrs);
      if (attrs.reduction !== 'mean') return reduceRef(rows, attrs.reduction);
      const count = spec.counted(refTensor(y, 'i32'), attrs);
      return f64([], [count ? rows.reduce((a, b) => a + b, 0) / count : 0]);
    },
  };
}

// The row kernels (per adapter) share one declaration: a0..a3 are the loss's own scalars (rooted: k, m;
// focal: alpha, gamma; a defineRowLoss loss: its own), read by the row loss the LOSS define includes.
export const rowParams = { N: 'u32', C: 'u32', scale: 'f32', need_grad: 'u32', a0: 'f32', a1: 'f32', a2: 'f32', a3: 'f32', ignore: 'i32', eps: 'f32' } as const;
type RowKernel = KernelDecl<typeof rowParams, Record<'Z' | 'Y' | 'LOSS' | 'DZ', BindingDecl>>;
const LOSS_ROWS: Record<'workgroup' | 'thread' | 'threadVec4', RowKernel> = {
  workgroup: /* @__PURE__ */ defineKernel(lossRowsWorkgroupWgsl, rowParams, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' }, ROW_BODIES),
  thread: /* @__PURE__ */ defineKernel(lossRowsThreadWgsl, rowParams, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' }, ROW_BODIES),
  threadVec4: /* @__PURE__ */ defineKernel(lossRowsThreadVec4Wgsl, rowParams, { Z: 'read vec4<f32>', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write vec4<f32>' }, ROW_BODIES),
};
const LOSS_BINARY = /* @__PURE__ */ defineKernel(lossBinaryWgsl, { N: 'u32', scale: 'f32', need_grad: 'u32', a: 'f32' }, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' }, [rootedLogisticFusedWgsl, binaryCrossEntropyFusedWgsl]);

type MulticlassAttrs = { reduction: Reduction; ignoreIndex: number; labelSmoothing?: number };

/** Labels that are not ignoreIndex, counted on the host (host-made labels, or reference values). */
export function countValid(y: Tensor, ignoreIndex: number): number {
  const h = y.host ?? y.ref?.data;
  if (!h) throw new Error('a mean over non-ignored rows needs host-known labels (the public loss functions route GPU-made labels elsewhere)');
  const count = (xs: ArrayLike<number>) => {
    let n = 0;
    for (let i = 0; i < xs.length; i++) if (xs[i] !== ignoreIndex) n++;
    return n;
  };
  const n = count(h);
  // The count is a kernel parameter: a compiled step replays it only for labels with the same count.
  if (y.host) rt().guard(() => count(y.host!) === n);
  return n;
}

/** A fused multiclass loss: the row-wise kernel (per adapter), with the loss's own row_loss (the file
 * `kernel` names, or names for these attributes: a defineRowLoss loss). */
export function multiclassDef<A extends MulticlassAttrs>(op: string, kernel: string | ((a: A) => string), scalars: (a: A) => number[], rowRef: (logp: number, a: A, C: number) => number): OpDef<A> {
  return fusedDef<A>({
    op,
    check: (z, y, attrs) => checkMulticlass(op, z, y, attrs.ignoreIndex),
    counted: (y, attrs) => countValid(y, attrs.ignoreIndex),
    dispatch(z, y, rows, dz, scale, needsGrad, attrs) {
      const [N, C] = z.shape;
      const r = rt();
      const perWorkgroup = kernelVariant('lossRows') === 'workgroup';
      const groups = perWorkgroup ? (N <= 65535 ? [N, 1] : [65535, Math.ceil(N / 65535)]) : r.groups1d(N, 64);
      const k = perWorkgroup ? LOSS_ROWS.workgroup : C % 4 === 0 ? LOSS_ROWS.threadVec4 : LOSS_ROWS.thread;
      const [a0 = 0, a1 = 0, a2 = 0, a3 = 0] = scalars(attrs);
      const eps = attrs.labelSmoothing ?? 0;
      const params = { N, C, scale, need_grad: needsGrad ? 1 : 0, a0, a1, a2, a3, ignore: attrs.ignoreIndex, eps };
      r.run(k, { LOSS: typeof kernel === 'string' ? kernel : kernel(attrs), SMOOTH: String(eps > 0), ZIN: 'Z', ZOUT: 'DZ' }, { Z: view(z), Y: view(y), LOSS: view(rows), DZ: view(dz) }, params, groups as [number, number]);
    },
    reference(z, y, attrs) {
      const [N, C] = z.shape;
      const eps = attrs.labelSmoothing ?? 0;
      const rows = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        if (y.data[i] === attrs.ignoreIndex) continue;
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, z.data[i * C + c]);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(z.data[i * C + c] - mx);
        const lse = mx + Math.log(s);
        let meanNll = 0; // mean over classes of -log p_c
        for (let c = 0; c < C; c++) meanNll += (lse - z.data[i * C + c]) / C;
        rows[i] = (1 - eps) * rowRef(z.data[i * C + y.data[i]] - lse, attrs, C) + eps * meanNll;
      }
      return rows;
    },
  });
}

/** A fused binary loss: one invocation per example (loss_binary.wgsl) with the loss's binary_loss. */
function binaryDef<A extends { reduction: Reduction }>(op: string, kernel: string, scalars: (a: A) => number[], ref: (z: number, s: number, a: A) => number): OpDef<A> {
  return fusedDef<A>({
    op,
    check: (z, y) => checkBinary(op, z, y),
    counted: (y) => y.shape[0],
    dispatch(z, y, rows, dz, scale, needsGrad, attrs) {
      const N = z.shape[0];
      const r = rt();
      const [a = 0] = scalars(attrs);
      r.run(LOSS_BINARY, { LOSS: kernel }, { Z: view(z), Y: view(y), LOSS: view(rows), DZ: view(dz) }, { N, scale, need_grad: needsGrad ? 1 : 0, a }, r.groups1d(N, 256));
    },
    reference: (z, y, attrs) => Float64Array.from(z.data, (v, i) => ref(v, y.data[i] === 1 ? 1 : -1, attrs)),
  });
}

export function reduceRef(rows: Float64Array, reduction: Reduction): F64 {
  if (reduction === 'none') return f64([rows.length], rows);
  const s = rows.reduce((a, b) => a + b, 0);
  return f64([], [reduction === 'mean' ? s / rows.length : s]);
}

const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export const lossDefs: Ops<keyof LossAttrs> = /* @__PURE__ */ defineOps(() => ({
  crossEntropy: multiclassDef<Attrs['crossEntropy']>('crossEntropy', 'cross_entropy_fused', () => [], (lp) => -lp),
  focalLoss: multiclassDef<Attrs['focalLoss']>('focalLoss', 'focal_loss_fused', (a) => [a.alpha, a.gamma], (lp, a) => -a.alpha * (-Math.expm1(lp)) ** a.gamma * lp),
  rootedLoss: multiclassDef<Attrs['rootedLoss']>('rootedLoss', 'rooted_loss_fused', (a) => [a.k, a.m], (lp, a) => -a.m * Math.expm1(lp / a.k)),
  rootedLogisticLoss: binaryDef<Attrs['rootedLogisticLoss']>('rootedLogisticLoss', 'rooted_logistic_fused', (a) => [a.k], (z, s, a) => a.k * Math.expm1(softplus64(-s * z) / a.k)),
  binaryCrossEntropy: binaryDef<Attrs['binaryCrossEntropy']>('binaryCrossEntropy', 'binary_cross_entropy_fused', () => [], (z, s) => softplus64(-s * z)),
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  crossEntropy: recompute(([z, y], { reduction, ignoreIndex, labelSmoothing }) => crossEntropy(z, y, { reduction, ignoreIndex, labelSmoothing, fused: false })),
  focalLoss: recompute(([z, y], { reduction, alpha, gamma, ignoreIndex }) => focalLoss(z, y, { reduction, alpha, gamma, ignoreIndex, fused: false })),
  rootedLoss: recompute(([z, y], { reduction, k, m, ignoreIndex }) => rootedLoss(z, y, { reduction, k, m, ignoreIndex, fused: false })),
  rootedLogisticLoss: recompute(([z, y], { reduction, k }) => rootedLogisticLoss(z, y, { reduction, k, fused: false })),
  binaryCrossEntropy: recompute(([z, y], { reduction }) => binaryCrossEntropy(z, y, { reduction, fused: false })),
}));

// ---- the unfused compositions (through autograd), for studying fusion -------------------------------
// Each runs inside tidy: the intermediates are freed at once, what backward needs stays saved in the graph.

function unfusedLogPy(z: Tensor, y: Tensor): Tensor {
  return pick(logSoftmax(z, -1), y);
}

const F32_MAX = 3.4028234663852886e38;

/** log(1 + e^x) by the softplus primitive, never switching to x (threshold at f32's largest value): its
 * value is stable for any x, its derivative is sigmoid(x) (not the quotient of an underflowed sigmoid and its
 * derivative, which -log sigmoid(-x) gives: -inf then NaN from x ~ 60 on when differentiated twice), and
 * its second derivative is the sigmoid rule's y sigmoid(-x). Both the unfused losses and their recorded
 * higher-order rule (src/ops/higher_order.ts) are this composition. */
function softplusComposed(x: Tensor): Tensor {
  return softplus(x, 1, F32_MAX);
}

/** -s z with s = 2y - 1, from the i32 labels. */
function signedLogits(z: Tensor, y: Tensor): Tensor {
  return mul(affine(cast(y, 'f32'), -2, 1), z);
}

function unfused(op: string, reduction: Reduction, rows: () => Tensor): Tensor {
  return tidy(() => reduceRows(op, rows(), reduction));
}

// ---- public functions ----------------------------------------------------------------------------------

/** The options every multiclass loss takes (each adds its own scalars): an unknown key is an error. */
const MULTICLASS_OPTIONS = ['reduction', 'fused', 'ignoreIndex'];

export interface MulticlassOptions extends LossOptions {
  /** Rows with this label add no loss and no gradient; a mean is over the others (PyTorch's default -100). */
  ignoreIndex?: number;
}

/**
 * The shared front of the multiclass losses: logits [..., C] (class axis last, where PyTorch puts it second
 * for images) and labels [...] become [N, C] and [N] (views); `fused` runs the loss's kernel, `composed` its
 * composition of primitives (rows [N], ignored rows included). A mean with GPU-made labels (whose
 * non-ignored count is not on the host) sums the rows and divides by the count computed on the GPU.
 */
export function multiclass(op: string, logits: Tensor, labels: Tensor, opts: MulticlassOptions, fused: (z: Tensor, y: Tensor, reduction: Reduction, ignoreIndex: number) => Tensor, composed: (z: Tensor, y: Tensor) => Tensor): Tensor {
  const { reduction = 'mean', fused: useFused = true, ignoreIndex = -100 } = opts;
  checkReduction(op, reduction);
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (!(logits instanceof Tensor) || !(labels instanceof Tensor)) throw new Error(`${op}: logits and labels must be Tensors`);
  if (logits.ndim < 1) throw new Error(`${op}: logits must be [..., C], got a scalar`);
  const lead = logits.shape.slice(0, -1);
  if (logits.ndim !== 2 && (labels.ndim !== lead.length || labels.shape.some((d, i) => d !== lead[i]))) {
    throw new Error(`${op}: labels must be ${shapeStr(lead)} for logits ${shapeStr(logits.shape)} (class axis last), got ${shapeStr(labels.shape)}`);
  }
  const C = logits.shape[logits.ndim - 1];
  const z = logits.ndim === 2 ? logits : reshape(logits, [-1, C]);
  const y = logits.ndim === 2 ? labels : reshape(labels, [-1]);
  const unshape = (rows: Tensor) => {
    if (logits.ndim === 2) return rows;
    const out = reshape(rows, lead);
    rows.dispose();
    return out;
  };
  try {
    if (useFused && (reduction !== 'mean' || y.host || isReferenceMode())) {
      const out = fused(z, y, reduction, ignoreIndex);
      return reduction === 'none' ? unshape(out) : out;
    }
    if (useFused) checkMulticlass(op, z, y, ignoreIndex);
    return tidy(() => {
      const valid = ne(y, ignoreIndex);
      let rows: Tensor;
      if (useFused) rows = fused(z, y, 'none', ignoreIndex);
      else {
        checkMulticlass(op, z, y, ignoreIndex);
        rows = where(valid, composed(z, where(valid, y, 0)), 0); // ignored labels read class 0, then drop out
      }
      if (reduction === 'none') return unshape(rows);
      if (reduction === 'sum') return sum(rows);
      const count = maximum(sum(cast(valid, 'f32')), 1); // no rows: 0, not NaN
      return div(sum(rows), count);
    });
  } finally {
    if (z !== logits) z.dispose();
    if (y !== labels) y.dispose();
  }
}

/** Mean (or sum, or per-row) of -log softmax(logits)[label]: logits [..., C] (class axis last), labels i32
 * [...]; `ignoreIndex` (default -100) rows add nothing; `labelSmoothing` eps mixes the target with the
 * uniform distribution: (1 - eps) one-hot + eps / C, as PyTorch. */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: MulticlassOptions & { labelSmoothing?: number } = {}): Tensor {
  checkOptions('crossEntropy', opts, [...MULTICLASS_OPTIONS, 'labelSmoothing']);
  const { labelSmoothing = 0 } = opts;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  return multiclass('crossEntropy', logits, labels, opts, (z, y, reduction, ignoreIndex) => apply(lossDefs.crossEntropy, [z, y], { reduction, ignoreIndex, labelSmoothing }), (z, y) => {
    const nll = neg(unfusedLogPy(z, y));
    if (!labelSmoothing) return nll;
    // (1 - eps) (-log p_y) + eps mean_c(-log p_c)
    return add(affine(nll, 1 - labelSmoothing), affine(mean(logSoftmax(z, -1), -1), -labelSmoothing));
  });
}

/** Focal loss -alpha (1 - p_y)^gamma log p_y (Lin et al.). Defaults alpha = 0.25, gamma = 3; logits [..., C],
 * labels [...], ignoreIndex as crossEntropy. */
export function focalLoss(logits: Tensor, labels: Tensor, opts: MulticlassOptions & { alpha?: number; gamma?: number } = {}): Tensor {
  checkOptions('focalLoss', opts, [...MULTICLASS_OPTIONS, 'alpha', 'gamma']);
  const { alpha = 0.25, gamma = 3 } = opts;
  checkPositive('focalLoss', 'alpha', alpha);
  if (typeof gamma !== 'number' || !Number.isFinite(gamma) || gamma < 0) throw new Error(`focalLoss: gamma must be a finite number >= 0, got ${gamma}`);
  return multiclass('focalLoss', logits, labels, opts, (z, y, reduction, ignoreIndex) => apply(lossDefs.focalLoss, [z, y], { reduction, alpha, gamma, ignoreIndex }), (z, y) => {
    const lpy = unfusedLogPy(z, y);
    const q = affine(exp(lpy), -1, 1); // 1 - p_y
    return affine(mul(pow(q, gamma), lpy), -alpha);
  });
}

/** The multiclass Rooted Logistic Objective m (1 - p_y^(1/k)) (Wang et al., arXiv 2310.03890). Defaults
 * k = 3, m = 3; logits [..., C], labels [...], ignoreIndex as crossEntropy. */
export function rootedLoss(logits: Tensor, labels: Tensor, opts: MulticlassOptions & { k?: number; m?: number } = {}): Tensor {
  checkOptions('rootedLoss', opts, [...MULTICLASS_OPTIONS, 'k', 'm']);
  const { k = 3, m = 3 } = opts;
  checkPositive('rootedLoss', 'k', k);
  checkPositive('rootedLoss', 'm', m);
  // p_y^(1/k) = exp(log p_y / k)
  return multiclass('rootedLoss', logits, labels, opts, (z, y, reduction, ignoreIndex) => apply(lossDefs.rootedLoss, [z, y], { reduction, k, m, ignoreIndex }), (z, y) => affine(exp(affine(unfusedLogPy(z, y), 1 / k)), -m, m));
}

/** The binary Rooted Logistic Objective k ((1 + e^(-s z))^(1/k) - 1), s = 2y - 1. logits [N], labels i32 {0, 1} [N]. Default k = 2. */
export function rootedLogisticLoss(logits: Tensor, labels: Tensor, opts: LossOptions & { k?: number } = {}): Tensor {
  checkOptions('rootedLogisticLoss', opts, ['reduction', 'fused', 'k']);
  const { reduction = 'mean', fused = true, k = 2 } = opts;
  checkReduction('rootedLogisticLoss', reduction);
  checkPositive('rootedLogisticLoss', 'k', k);
  if (fused) return apply(lossDefs.rootedLogisticLoss, [logits, labels], { reduction, k });
  checkBinary('rootedLogisticLoss', logits, labels);
  return unfused('rootedLogisticLoss', reduction, () => affine(exp(affine(softplusComposed(signedLogits(logits, labels)), 1 / k)), k, -k));
}

/** Binary cross-entropy on logits, log(1 + e^(-s z)). logits [N], labels i32 {0, 1} [N]. */
export function binaryCrossEntropy(logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor {
  checkOptions('binaryCrossEntropy', opts, ['reduction', 'fused']);
  const { reduction = 'mean', fused = true } = opts;
  checkReduction('binaryCrossEntropy', reduction);
  if (fused) return apply(lossDefs.binaryCrossEntropy, [logits, labels], { reduction });
  checkBinary('binaryCrossEntropy', logits, labels);
  return unfused('binaryCrossEntropy', reduction, () => softplusComposed(signedLogits(logits, labels)));
}
