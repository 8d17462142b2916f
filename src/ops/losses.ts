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
import { kernelVariant } from '../variants.js';
import { rt } from '../runtime.js';
import { defineKernel, type BindingDecl, type KernelDecl } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import type { Attrs, F64, OpDef, Reduction } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { checkIndices, pick } from './gather.js';
import { affine, exp, log, neg, pow, sigmoid } from './unary.js';
import { mul } from './binary.js';
import { mean, sum } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { reshape } from './movement.js';
import { cast } from './cast.js';

export interface LossOptions {
  reduction?: Reduction;
  /** false: compose from primitive ops through autograd instead of the fused kernel. */
  fused?: boolean;
}

function reduceRows(op: string, rows: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return rows;
  const out = reduction === 'mean' ? mean(rows) : sum(rows);
  rows.dispose();
  return out;
}

/** dL/dz kept from the forward pass, times the upstream gradient (a scalar, or one value per row for 'none').
 * When the loss is the root of backward, g is the engine's seed of ones: dz is the gradient as it is. */
function scaleGrad(dz: Tensor, g: Tensor): Tensor {
  if (isUnitSeed(g)) return dz.detach();
  if (g.ndim === 0 || dz.ndim === 1) return mul(dz, g);
  const g2 = reshape(g, [g.size, 1]);
  return mul(dz, g2);
}

function checkMulticlass(op: string, z: Tensor, y: Tensor): void {
  checkDType(op, z, 'f32', 'logits');
  checkDType(op, y, 'i32', 'labels');
  if (z.ndim !== 2) throw new Error(`${op}: logits must be [N, C], got ${shapeStr(z.shape)}`);
  if (y.ndim !== 1 || y.shape[0] !== z.shape[0]) throw new Error(`${op}: labels must be [N] = [${z.shape[0]}] for logits ${shapeStr(z.shape)}, got ${shapeStr(y.shape)}`);
  if (z.shape[1] < 1) throw new Error(`${op}: logits need at least one class, got ${shapeStr(z.shape)}`);
  checkIndices(op, y, z.shape[1], 'label');
}

function checkBinary(op: string, z: Tensor, y: Tensor): void {
  checkDType(op, z, 'f32', 'logits');
  checkDType(op, y, 'i32', 'labels');
  if (z.ndim !== 1) throw new Error(`${op}: logits must be [N], got ${shapeStr(z.shape)}`);
  if (y.ndim !== 1 || y.shape[0] !== z.shape[0]) throw new Error(`${op}: labels must be [N] = [${z.shape[0]}] for logits ${shapeStr(z.shape)}, got ${shapeStr(y.shape)}`);
  const h = y.host;
  if (h) for (let i = 0; i < h.length; i++) if (h[i] !== 0 && h[i] !== 1) throw new Error(`${op}: labels must be 0 or 1, got ${h[i]} at position ${i}`);
}

function checkPositive(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${op}: ${name} must be a positive finite number, got ${v}`);
}

function checkReduction(op: string, r: Reduction): void {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
}

/** The shared shape of every fused loss: one dispatch writes the per-row losses and, when a gradient is
 * wanted, dL/dz (scaled for the reduction) in the same pass; backward only scales dL/dz by g. */
function fusedDef<A extends { reduction: Reduction }>(spec: {
  check: (z: Tensor, y: Tensor) => void;
  dispatch: (z: Tensor, y: Tensor, rows: Tensor, dz: Tensor, scale: number, needsGrad: boolean, attrs: A) => void;
  reference: (z: F64, y: F64, attrs: A) => Float64Array;
  op: string;
}): OpDef<A> {
  return {
    infer([z, y], attrs) {
      spec.check(z, y);
      return { shape: attrs.reduction === 'none' ? [z.shape[0]] : [], dtype: 'f32' };
    },
    forward([z, y], attrs, save, needsGrad) {
      const N = z.shape[0];
      const rows = empty([N]);
      const dz = needsGrad ? empty(z.shape) : empty([4]); // a stand-in when no gradient is written (16 bytes: one vec4)
      if (N) spec.dispatch(z, y, rows, dz, attrs.reduction === 'mean' ? 1 / N : 1, needsGrad, attrs);
      save(dz);
      dz.dispose();
      return reduceRows(spec.op, rows, attrs.reduction);
    },
    backward(g, [dz]) {
      return [scaleGrad(dz, g), null];
    },
    reference([z, y], attrs) {
      return reduceRef(spec.reference(z, y, attrs), attrs.reduction);
    },
  };
}

// The row kernels (per adapter) share one declaration: a and b are the loss's own scalars (rooted: k, m;
// focal: alpha, gamma), read by the loss body the LOSS define includes.
const rowParams = { N: 'u32', C: 'u32', scale: 'f32', need_grad: 'u32', a: 'f32', b: 'f32' } as const;
type RowKernel = KernelDecl<typeof rowParams, Record<'Z' | 'Y' | 'LOSS' | 'DZ', BindingDecl>>;
const LOSS_ROWS: Record<'workgroup' | 'thread' | 'threadVec4', RowKernel> = {
  workgroup: defineKernel('loss_rows_workgroup', rowParams, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' }),
  thread: defineKernel('loss_rows_thread', rowParams, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' }),
  threadVec4: defineKernel('loss_rows_thread_vec4', rowParams, { Z: 'read vec4<f32>', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write vec4<f32>' }),
};
const LOSS_BINARY = defineKernel('loss_binary', { N: 'u32', scale: 'f32', need_grad: 'u32', a: 'f32' }, { Z: 'read f32', Y: 'read i32', LOSS: 'read_write f32', DZ: 'read_write f32' });

/** A fused multiclass loss: the row-wise kernel (per adapter), with the loss's own row_loss. */
function multiclassDef<A extends { reduction: Reduction }>(op: string, kernel: string, scalars: (a: A) => number[], rowRef: (logp: number, a: A) => number): OpDef<A> {
  return fusedDef<A>({
    op,
    check: (z, y) => checkMulticlass(op, z, y),
    dispatch(z, y, rows, dz, scale, needsGrad, attrs) {
      const [N, C] = z.shape;
      const r = rt();
      const perWorkgroup = kernelVariant('lossRows') === 'workgroup';
      const groups = perWorkgroup ? (N <= 65535 ? [N, 1] : [65535, Math.ceil(N / 65535)]) : r.groups1d(N, 64);
      const k = perWorkgroup ? LOSS_ROWS.workgroup : C % 4 === 0 ? LOSS_ROWS.threadVec4 : LOSS_ROWS.thread;
      const [a = 0, b = 0] = scalars(attrs);
      r.run(k, { LOSS: kernel }, { Z: view(z), Y: view(y), LOSS: view(rows), DZ: view(dz) }, { N, C, scale, need_grad: needsGrad ? 1 : 0, a, b }, groups as [number, number]);
    },
    reference(z, y, attrs) {
      const [N, C] = z.shape;
      const rows = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, z.data[i * C + c]);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(z.data[i * C + c] - mx);
        rows[i] = rowRef(z.data[i * C + y.data[i]] - mx - Math.log(s), attrs);
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
    dispatch(z, y, rows, dz, scale, needsGrad, attrs) {
      const N = z.shape[0];
      const r = rt();
      const [a = 0] = scalars(attrs);
      r.run(LOSS_BINARY, { LOSS: kernel }, { Z: view(z), Y: view(y), LOSS: view(rows), DZ: view(dz) }, { N, scale, need_grad: needsGrad ? 1 : 0, a }, r.groups1d(N, 256));
    },
    reference: (z, y, attrs) => Float64Array.from(z.data, (v, i) => ref(v, y.data[i] === 1 ? 1 : -1, attrs)),
  });
}

function reduceRef(rows: Float64Array, reduction: Reduction): F64 {
  if (reduction === 'none') return f64([rows.length], rows);
  const s = rows.reduce((a, b) => a + b, 0);
  return f64([], [reduction === 'mean' ? s / rows.length : s]);
}

const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export const lossDefs = {
  crossEntropy: multiclassDef<Attrs['crossEntropy']>('crossEntropy', 'cross_entropy_fused', () => [], (lp) => -lp),
  focalLoss: multiclassDef<Attrs['focalLoss']>('focalLoss', 'focal_loss_fused', (a) => [a.alpha, a.gamma], (lp, a) => -a.alpha * (-Math.expm1(lp)) ** a.gamma * lp),
  rootedLoss: multiclassDef<Attrs['rootedLoss']>('rootedLoss', 'rooted_loss_fused', (a) => [a.k, a.m], (lp, a) => -a.m * Math.expm1(lp / a.k)),
  rootedLogisticLoss: binaryDef<Attrs['rootedLogisticLoss']>('rootedLogisticLoss', 'rooted_logistic_fused', (a) => [a.k], (z, s, a) => a.k * Math.expm1(softplus64(-s * z) / a.k)),
  binaryCrossEntropy: binaryDef<Attrs['binaryCrossEntropy']>('binaryCrossEntropy', 'binary_cross_entropy_fused', () => [], (z, s) => softplus64(-s * z)),
};

// ---- the unfused compositions (through autograd), for studying fusion -------------------------------
// Each runs inside tidy: the intermediates are freed at once, what backward needs stays saved in the graph.

function unfusedLogPy(z: Tensor, y: Tensor): Tensor {
  return pick(logSoftmax(z, -1), y);
}

/** log(1 + e^x) = -log sigmoid(-x) from primitives: smooth everywhere (a relu/abs form has a kink at 0
 * where autograd's subgradient is wrong), but it overflows for x > ~87 where sigmoid(-x) underflows —
 * one of the things the fused kernels' softplus avoids. */
function softplusComposed(x: Tensor): Tensor {
  return neg(log(sigmoid(neg(x))));
}

/** -s z with s = 2y - 1, from the i32 labels. */
function signedLogits(z: Tensor, y: Tensor): Tensor {
  return mul(affine(cast(y, 'f32'), -2, 1), z);
}

function unfused(op: string, reduction: Reduction, rows: () => Tensor): Tensor {
  return tidy(() => reduceRows(op, rows(), reduction));
}

// ---- public functions ----------------------------------------------------------------------------------

/** Mean (or sum, or per-row) of -log softmax(logits)[label]. logits [N, C], labels i32 [N]. */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor {
  const { reduction = 'mean', fused = true } = opts;
  checkReduction('crossEntropy', reduction);
  if (fused) return apply('crossEntropy', [logits, labels], { reduction });
  checkMulticlass('crossEntropy', logits, labels);
  return unfused('crossEntropy', reduction, () => neg(unfusedLogPy(logits, labels)));
}

/** Focal loss -alpha (1 - p_y)^gamma log p_y (Lin et al.). Defaults alpha = 0.25, gamma = 3. */
export function focalLoss(logits: Tensor, labels: Tensor, opts: LossOptions & { alpha?: number; gamma?: number } = {}): Tensor {
  const { reduction = 'mean', fused = true, alpha = 0.25, gamma = 3 } = opts;
  checkReduction('focalLoss', reduction);
  checkPositive('focalLoss', 'alpha', alpha);
  if (typeof gamma !== 'number' || !Number.isFinite(gamma) || gamma < 0) throw new Error(`focalLoss: gamma must be a finite number >= 0, got ${gamma}`);
  if (fused) return apply('focalLoss', [logits, labels], { reduction, alpha, gamma });
  checkMulticlass('focalLoss', logits, labels);
  return unfused('focalLoss', reduction, () => {
    const lpy = unfusedLogPy(logits, labels);
    const q = affine(exp(lpy), -1, 1); // 1 - p_y
    return affine(mul(pow(q, gamma), lpy), -alpha);
  });
}

/** The multiclass Rooted Logistic Objective m (1 - p_y^(1/k)) (Wang et al., arXiv 2310.03890). Defaults k = 3, m = 3. */
export function rootedLoss(logits: Tensor, labels: Tensor, opts: LossOptions & { k?: number; m?: number } = {}): Tensor {
  const { reduction = 'mean', fused = true, k = 3, m = 3 } = opts;
  checkReduction('rootedLoss', reduction);
  checkPositive('rootedLoss', 'k', k);
  checkPositive('rootedLoss', 'm', m);
  if (fused) return apply('rootedLoss', [logits, labels], { reduction, k, m });
  checkMulticlass('rootedLoss', logits, labels);
  // p_y^(1/k) = exp(log p_y / k)
  return unfused('rootedLoss', reduction, () => affine(exp(affine(unfusedLogPy(logits, labels), 1 / k)), -m, m));
}

/** The binary Rooted Logistic Objective k ((1 + e^(-s z))^(1/k) - 1), s = 2y - 1. logits [N], labels i32 {0, 1} [N]. Default k = 2. */
export function rootedLogisticLoss(logits: Tensor, labels: Tensor, opts: LossOptions & { k?: number } = {}): Tensor {
  const { reduction = 'mean', fused = true, k = 2 } = opts;
  checkReduction('rootedLogisticLoss', reduction);
  checkPositive('rootedLogisticLoss', 'k', k);
  if (fused) return apply('rootedLogisticLoss', [logits, labels], { reduction, k });
  checkBinary('rootedLogisticLoss', logits, labels);
  return unfused('rootedLogisticLoss', reduction, () => affine(exp(affine(softplusComposed(signedLogits(logits, labels)), 1 / k)), k, -k));
}

/** Binary cross-entropy on logits, log(1 + e^(-s z)). logits [N], labels i32 {0, 1} [N]. */
export function binaryCrossEntropy(logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor {
  const { reduction = 'mean', fused = true } = opts;
  checkReduction('binaryCrossEntropy', reduction);
  if (fused) return apply('binaryCrossEntropy', [logits, labels], { reduction });
  checkBinary('binaryCrossEntropy', logits, labels);
  return unfused('binaryCrossEntropy', reduction, () => softplusComposed(signedLogits(logits, labels)));
}
