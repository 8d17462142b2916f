// The gradient audit behind `rootgrad audit`: gradcheck over every primitive of the op table, every
// loss, every model and every op added with defineOp, at several seeded random shapes. The case table is
// typed by Primitive, so a new primitive without an audit case does not compile.
import { fromHost } from './creation.js';
import { Generator, manualSeed } from './random.js';
import { checkValue, criterionText, FULL_CHECK_LIMIT, gradcheck, type InputReport, type ValueReport } from './gradcheck.js';
import { checkOptions } from './options.js';
import { ratioChart } from './audit-module.js';
import { checkForward, gradgradcheck } from './autodiff.js';
import type { HigherOrder } from './ops/higher_order.js';
import { higherOrder } from './ops/table.js';
import type { Primitive } from './ops/def.js';
import type { Tensor } from './tensor.js';
import { customOps } from './custom.js';
import { dropoutWithSeed } from './ops/dropout.js';
import { multinomialWithSeed } from './ops/random.js';
import * as ops from './ops/all.js';

export interface AuditCase {
  inputs: Record<string, Tensor>;
  fn: (...xs: Tensor[]) => Tensor;
  /** Check at most this many elements per input (default: gradcheck's, every element up to its limit). */
  samples?: number;
  /** The attributes drawn for this case (options, axes, strategy), for the reports. */
  attrs?: Record<string, unknown>;
  /** Other implementations of the same function (a composition, a materialised path): each one's forward
   * value must match the float64 reference too. */
  compare?: { label: string; fn: (...xs: Tensor[]) => Tensor }[];
}

export type Sampler = (g: Generator) => AuditCase;

const dims = [1, 2, 3, 5, 7];
const pick = <T>(g: Generator, xs: readonly T[]): T => xs[g.int(xs.length)];
const shape = (g: Generator, min = 1, max = 3) => Array.from({ length: min + g.int(max - min + 1) }, () => pick(g, dims));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Values on a 1e-3 grid in [lo, hi] (never subnormal: SwiftShader flushes those). */
export const rnd = (g: Generator, s: number[], lo = -2, hi = 2) => fromHost(Array.from({ length: size(s) }, () => Math.round((lo + (hi - lo) * g.uniform()) * 1000) / 1000), s, 'f32');
export const labels = (g: Generator, n: number, C: number) => fromHost(Array.from({ length: n }, () => g.int(C)), [n], 'i32');
const unary = (f: (x: Tensor) => Tensor, lo = -2, hi = 2): Sampler => (g) => ({ inputs: { x: rnd(g, shape(g), lo, hi) }, fn: f });
const binary = (f: (a: Tensor, b: Tensor) => Tensor): Sampler => (g) => {
  const out = shape(g, 1, 3);
  const a = out.map((d) => (g.uniform() < 0.3 ? 1 : d));
  const b = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.3 ? 1 : d));
  const bt = rnd(g, b, 0.5, 2);
  return { inputs: { a: rnd(g, a), b: bt }, fn: f };
};
/** Logits [N, C] or [2, N, C] (class axis last), some labels ignoreIndex (-100) now and then. */
/** `counted`: the first label is never ignored (a case where every row is ignored checks nothing). */
const multiclassData = (g: Generator, counted = false) => {
  const [N, C] = [pick(g, [1, 3, 8]), pick(g, [2, 5, 17])];
  const lead = g.uniform() < 0.3 ? [2, N] : [N];
  const y = fromHost(Array.from({ length: size(lead) }, (_, i) => (g.uniform() < 0.2 && !(counted && i === 0) ? -100 : g.int(C))), lead, 'i32');
  return { logits: rnd(g, [...lead, C], -4, 4), y };
};
const multiclass = (f: (z: Tensor, y: Tensor) => Tensor): Sampler => (g) => {
  const { logits, y } = multiclassData(g);
  return { inputs: { logits }, fn: (z) => f(z, y) };
};
const binaryLoss = (f: (z: Tensor, y: Tensor) => Tensor): Sampler => (g) => {
  const N = pick(g, [1, 4, 9]);
  const y = fromHost(Array.from({ length: N }, () => g.int(2)), [N], 'i32');
  return { inputs: { logits: rnd(g, [N], -5, 5) }, fn: (z) => f(z, y) };
};

/** Values at least 0.05 apart (a shuffled grid): a max never ties, and finite differences do not swap it. */
function distinct(g: Generator, s: number[]) {
  const order = [...Array(size(s)).keys()];
  g.shuffle(order);
  return fromHost(order.map((i) => (i - order.length / 2) * 0.05), s, 'f32');
}

/** An input shape, an axis and an index of the input's rank (no larger on the other axes) into it. */
function gatherIndex(g: Generator) {
  const s = shape(g, 1, 3);
  const axis = g.int(s.length);
  const is = s.map((d, i) => (i === axis ? pick(g, [1, 2, 4]) : Math.max(1, d - g.int(2))));
  return { s, axis, is, index: fromHost(Array.from({ length: size(is) }, () => g.int(s[axis])), is, 'i32') };
}

/** A registered row loss by name on logits (softmax-fused), its value also compared through its composition
 * (`fused: false`: defineRowLoss's `compose`). */
export const rowLossCase = (name: string): Sampler => (g) => {
  const reduction = pick(g, ['mean', 'sum'] as const);
  const { logits, y } = multiclassData(g, true);
  const f = (fused: boolean) => (z: Tensor) => ops.rowLoss(name, z, y, { reduction, fused });
  return { inputs: { logits }, fn: f(true), attrs: { loss: name, reduction }, compare: [{ label: 'its composition (fused: false)', fn: f(false) }] };
};

/** A registered row loss fused with the classifier, one strategy; its value also compared with the
 * materialised path (`fused: false`). */
export const linearLossCase = (name: string, strategy: 'chunked' | 'tiled'): Sampler => (g) => {
  // sometimes over 64 rows, so that a second chunk (and the in-order weight-gradient sum) is checked
  const [N, D, V] = [pick(g, [1, 5, 70]), pick(g, [1, 3, 4]), pick(g, [2, 9])];
  const y = fromHost(Array.from({ length: N }, () => (g.uniform() < 0.2 ? -100 : g.int(V))), [N], 'i32');
  const reduction = pick(g, ['mean', 'sum', 'none'] as const);
  const inputs: Record<string, Tensor> = { h: rnd(g, [N, D]), weight: rnd(g, [V, D]) };
  if (g.uniform() < 0.5) inputs.bias = rnd(g, [V]);
  const weights = rnd(g, [N]); // reduction 'none': a random weight per row, so that per-row gradients count
  const out = (t: Tensor) => (reduction === 'none' ? ops.sum(ops.mul(t, weights)) : t);
  const f = (fused: boolean) => (h: Tensor, w: Tensor, b?: Tensor) => out(ops.linearRowLoss(name, h, w, y, { bias: b ?? null, strategy, reduction, chunkRows: 64, fused }));
  return { inputs, fn: f(true), attrs: { loss: name, strategy, reduction, chunkRows: 64, bias: !!inputs.bias }, compare: [{ label: 'the materialised path (fused: false)', fn: f(false) }] };
};

/** One case per primitive; `custom` is audited once per op made with defineOp, with that op's own sample. */
export const primitiveCases: Record<Exclude<Primitive, 'custom'>, Sampler> = /* @__PURE__ */ (() => ({
  neg: unary(ops.neg),
  exp: unary(ops.exp),
  log: unary(ops.log, 0.1, 3),
  sqrt: unary(ops.sqrt, 0.1, 3),
  tanh: unary(ops.tanh),
  relu: (g) => {
    const sign = g.uniform() < 0.5 ? 1 : -1; // both sides of the kink, never at it
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.relu(ops.affine(x, sign)), attrs: { sign } };
  },
  sigmoid: unary(ops.sigmoid, -4, 4),
  gelu: (g) => {
    const approximate = pick(g, ['none', 'tanh'] as const);
    return { inputs: { x: rnd(g, shape(g), -3, 3) }, fn: (x) => ops.gelu(x, { approximate }), attrs: { approximate } };
  },
  // kinks kept away from: |x| >= 0.05 on the sampled grid
  abs: (g) => {
    const s = pick(g, [1, -1]); // drawn here: fn must be the same function at every call
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.abs(ops.affine(x, s)), attrs: { sign: s } };
  },
  sign: (g) => ({ inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.mul(ops.sign(ops.affine(x, -1)), x) }),
  clamp: (g) => ({ inputs: { x: rnd(g, shape(g), -2, 2) }, fn: (x) => ops.clamp(ops.affine(x, 1, 0.0005), -1.0003, 0.5007) }),
  erf: unary(ops.erf, -3, 3),
  silu: unary(ops.silu, -4, 4),
  softplus: (g) => {
    const beta = pick(g, [1, 2]);
    return { inputs: { x: rnd(g, shape(g), -3, 3) }, fn: (x) => ops.softplus(ops.affine(x, 1, 0.0005), beta, 1.5), attrs: { beta, threshold: 1.5 } };
  },
  leakyRelu: (g) => {
    const s = pick(g, [1, -1]);
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.leakyRelu(ops.affine(x, s), 0.1), attrs: { sign: s, negativeSlope: 0.1 } };
  },
  powScalar: (g) => {
    const p = pick(g, [2, 3, 0.5, -1, 1.5]);
    return { inputs: { x: rnd(g, shape(g), 0.3, 2) }, fn: (x) => ops.pow(x, p), attrs: { exponent: p } };
  },
  affine: unary((x) => ops.affine(x, 1.5, -0.25)),
  add: binary(ops.add),
  sub: binary(ops.sub),
  mul: binary(ops.mul),
  div: binary(ops.div),
  minimum: binary((a, b) => ops.minimum(a, ops.affine(b, 1, 0.0005))), // never a tie on the 1e-3 grid
  maximum: binary((a, b) => ops.maximum(a, ops.affine(b, 1, 0.0005))),
  sum: (g) => {
    const s = shape(g);
    const axis = g.uniform() < 0.3 ? null : g.int(s.length);
    const keepdim = g.uniform() < 0.5; // drawn here: fn must be the same function at every call
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.sum(x, axis, keepdim), attrs: { axis, keepdim } };
  },
  max: (g) => {
    const s = shape(g);
    const n = size(s);
    const order = Array.from({ length: n }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: a unique maximum
    const axis = g.int(s.length);
    return { inputs: { x }, fn: (t) => ops.max(t, axis), attrs: { axis } };
  },
  argmax: (g) => {
    // argmax has no gradient; picking the element it names does: a wrong index moves the gradient
    const [N, C] = [pick(g, [1, 3, 5]), pick(g, [2, 5, 7])];
    const order = Array.from({ length: N * C }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), [N, C], 'f32'); // distinct: a unique maximum
    return { inputs: { x }, fn: (t) => ops.pick(t, ops.argmax(t, 1)) };
  },
  min: (g) => {
    const s = shape(g);
    const order = Array.from({ length: size(s) }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: a unique minimum
    const axes = s.length > 1 && g.uniform() < 0.5 ? [0, s.length - 1] : [g.int(s.length)];
    return { inputs: { x }, fn: (t) => ops.min(t, axes), attrs: { axes } };
  },
  argmin: (g) => {
    const [N, C] = [pick(g, [1, 3, 5]), pick(g, [2, 5, 7])];
    const order = Array.from({ length: N * C }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), [N, C], 'f32');
    return { inputs: { x }, fn: (t) => ops.pick(t, ops.argmin(t, 1)) };
  },
  cumsum: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    const opts = { exclusive: g.uniform() < 0.4, reverse: g.uniform() < 0.4 };
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.cumsum(x, axis, opts), attrs: { axis, ...opts } };
  },
  topkIndices: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    const k = 1 + g.int(s[axis]);
    const order = Array.from({ length: size(s) }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: one order
    return { inputs: { x }, fn: (t) => ops.topk(t, k, axis).values, attrs: { k, axis } };
  },
  multinomial: (g) => {
    // samples have no gradient; picking the drawn probabilities does: the draws must match the reference's
    const [rows, C] = [pick(g, [1, 3]), pick(g, [2, 5, 9])];
    const n = 1 + g.int(C);
    const replacement = g.uniform() < 0.5;
    const seed = g.int(1 << 30);
    return { inputs: { p: rnd(g, [rows, C], 0.1, 2) }, fn: (p) => ops.gather(p, 1, multinomialWithSeed(p, n, replacement, seed)), attrs: { samples: n, replacement, seed } };
  },
  sumTo: (g) => {
    const out = shape(g, 1, 3);
    const target = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.5 ? 1 : d));
    return { inputs: { x: rnd(g, out) }, fn: (x) => ops.sumTo(x, target), attrs: { target } };
  },
  dropout: (g) => {
    const p = pick(g, [0.2, 0.5]);
    const seed = g.int(1 << 30);
    return { inputs: { x: rnd(g, shape(g)) }, fn: (x) => dropoutWithSeed(x, p, seed), attrs: { p, seed } }; // one mask for every call
  },
  // comparisons have no gradient; where picks by them, so a wrong mask moves the gradient
  eq: binary((a, b) => ops.where(ops.eq(a, b), a, ops.neg(a))),
  ne: binary((a, b) => ops.where(ops.ne(a, b), a, ops.neg(a))),
  lt: binary((a, b) => ops.where(ops.lt(a, ops.affine(b, 1, 0.0005)), a, b)),
  le: binary((a, b) => ops.where(ops.le(a, ops.affine(b, 1, 0.0005)), a, b)),
  gt: binary((a, b) => ops.where(ops.gt(a, ops.affine(b, 1, 0.0005)), a, b)),
  ge: binary((a, b) => ops.where(ops.ge(a, ops.affine(b, 1, 0.0005)), a, b)),
  logicalAnd: unary((x) => ops.where(ops.logicalAnd(ops.gt(x, 0.0005), ops.lt(x, 1.0005)), x, ops.mul(x, x))),
  logicalOr: unary((x) => ops.where(ops.logicalOr(ops.lt(x, -1.0005), ops.gt(x, 1.0005)), x, ops.mul(x, x))),
  logicalNot: unary((x) => ops.where(ops.logicalNot(ops.gt(x, 0.0005)), x, ops.mul(x, x))),
  where: (g) => {
    const s = shape(g, 1, 3);
    const cond = fromHost(Array.from({ length: size(s) }, () => g.int(2)), s, 'bool');
    const b = s.slice(g.int(s.length)); // a trailing block: broadcasts against cond and a
    return { inputs: { a: rnd(g, s), b: rnd(g, b) }, fn: (a, bt) => ops.where(cond, a, bt) };
  },
  slice: (g) => {
    const s = shape(g, 1, 3);
    const axis = g.int(s.length);
    const [start, step] = [g.int(s[axis]), pick(g, [1, 2])];
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.slice(x, axis, start, undefined, step), attrs: { axis, start, step } };
  },
  cat: (g) => {
    const s = shape(g, 1, 3);
    const axis = g.int(s.length);
    const other = s.map((d, i) => (i === axis ? pick(g, [1, 2, 3]) : d));
    return { inputs: { a: rnd(g, s), b: rnd(g, other) }, fn: (a, b) => ops.cat([a, b, a], axis), attrs: { axis } };
  },
  pad: (g) => {
    const s = shape(g, 1, 3).map((d) => d + 1); // room to crop one
    const pads = s.slice(0, 1 + g.int(s.length)).flatMap(() => [pick(g, [0, 1, 2, -1]), pick(g, [0, 2, -1])]);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.pad(x, pads, 0.5), attrs: { pads, value: 0.5 } };
  },
  triangle: (g) => {
    const s = [pick(g, [1, 2]), pick(g, [1, 3, 4]), pick(g, [2, 3, 5])];
    const [upper, diagonal] = [g.uniform() < 0.5, pick(g, [-1, 0, 1, 2])];
    return { inputs: { x: rnd(g, s) }, fn: (x) => (upper ? ops.triu(x, diagonal) : ops.tril(x, diagonal)), attrs: { upper, diagonal } };
  },
  indexSelect: (g) => {
    const s = shape(g, 1, 3);
    const axis = g.int(s.length);
    const index = labels(g, pick(g, [1, 3, 5]), s[axis]); // repeats likely: the backward adds them
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.indexSelect(x, axis, index), attrs: { axis } };
  },
  gather: (g) => {
    const { s, axis, index } = gatherIndex(g);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.gather(x, axis, index), attrs: { axis } };
  },
  scatterAdd: (g) => {
    const { s, axis, index, is } = gatherIndex(g);
    const ss = is.map((d) => d + g.int(2)); // src may be larger than the index
    return { inputs: { x: rnd(g, s), src: rnd(g, ss) }, fn: (x, src) => ops.scatterAdd(x, axis, index, src), attrs: { axis } };
  },
  reshape: unary((x) => ops.reshape(x, [-1])),
  permute: (g) => {
    const s = shape(g, 2, 3);
    const perm = s.map((_, i) => i);
    g.shuffle(perm);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.permute(x, perm), attrs: { perm } };
  },
  expand: (g) => {
    const d = pick(g, dims);
    return { inputs: { x: rnd(g, [1, d]) }, fn: (x) => ops.expand(x, [3, d]) };
  },
  matmul: (g) => {
    const [m, k, n] = [pick(g, dims), pick(g, [1, 4, 6]), pick(g, dims)];
    const batch = pick(g, [[], [2], [3]]);
    return { inputs: { a: rnd(g, [...batch, m, k]), b: rnd(g, [k, n]) }, fn: ops.matmul };
  },
  linear: (g) => {
    const [m, k, n] = [pick(g, dims), pick(g, [3, 4, 8]), pick(g, dims)];
    const activation = pick(g, ['none', 'relu', 'gelu'] as const);
    // relu's kink: keep pre-activations away from 0 by a large bias of random sign
    return { inputs: { x: rnd(g, [m, k], -1, 1), weight: rnd(g, [n, k], -1, 1), bias: rnd(g, [n], -1, 1) }, fn: (x, w, b) => ops.linear(x, w, b, activation === 'relu' ? 'none' : activation), attrs: { activation: activation === 'relu' ? 'none' : activation } };
  },
  softmax: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => ops.softmax(x, axis), attrs: { axis } };
  },
  logSoftmax: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => ops.logSoftmax(x, axis), attrs: { axis } };
  },
  embedding: (g) => {
    const [V, D, n] = [pick(g, [2, 5]), pick(g, [1, 3, 4]), pick(g, [1, 4, 7])];
    const idx = labels(g, n, V);
    return { inputs: { weight: rnd(g, [V, D]) }, fn: (w) => ops.embedding(idx, w) };
  },
  pick: (g) => {
    const [N, C] = [pick(g, [1, 3, 6]), pick(g, [2, 5])];
    const idx = labels(g, N, C);
    return { inputs: { x: rnd(g, [N, C]) }, fn: (x) => ops.pick(x, idx) };
  },
  cast: unary((x) => ops.cast(x, 'f32')),
  crossEntropy: (g) => {
    const labelSmoothing = pick(g, [0, 0, 0.1]);
    return { ...multiclass((z, y) => ops.crossEntropy(z, y, { labelSmoothing }))(g), attrs: { labelSmoothing } };
  },
  focalLoss: multiclass((z, y) => ops.focalLoss(z, y)),
  rootedLoss: multiclass((z, y) => ops.rootedLoss(z, y)),
  rootedLogisticLoss: binaryLoss((z, y) => ops.rootedLogisticLoss(z, y)),
  rowLoss: (g) => rowLossCase(pick(g, ops.rowLossNames()))(g),
  linearLoss: (g) => linearLossCase(pick(g, ops.rowLossNames()), pick(g, ['chunked', 'tiled'] as const))(g),
  binaryCrossEntropy: binaryLoss((z, y) => ops.binaryCrossEntropy(z, y)),
  layerNorm: (g) => {
    const D = pick(g, [2, 5, 8]);
    return { inputs: { x: rnd(g, [pick(g, [1, 3]), D]), weight: rnd(g, [D], 0.5, 1.5), bias: rnd(g, [D]) }, fn: (x, w, b) => ops.layerNorm(x, w, b) };
  },
  conv2d: (g) => {
    const groups = pick(g, [1, 1, 2]);
    const [C, O, k] = [groups * pick(g, [1, 2]), groups * pick(g, [1, 3]), pick(g, [1, 2, 3])];
    const [stride, padding, dilation] = [pick(g, [1, 2]), pick(g, [0, 1]), pick(g, [1, 1, 2])];
    const side = dilation * (k - 1) + 1 + pick(g, [0, 2, 3]);
    const x = rnd(g, [pick(g, [1, 2]), C, side, side + 1]);
    const bias = g.uniform() < 0.7;
    const inputs: Record<string, Tensor> = { x, weight: rnd(g, [O, C / groups, k, k]) };
    if (bias) inputs.bias = rnd(g, [O]);
    return { inputs, fn: (xx, w, b) => ops.conv2d(xx, w, b, { stride, padding, dilation, groups }), attrs: { stride, padding, dilation, groups } };
  },
  maxPool2d: (g) => {
    const opts = { kernel: pick(g, [2, 3]), stride: pick(g, [1, 2]), padding: pick(g, [0, 1]), dilation: pick(g, [1, 1, 2]), ceilMode: g.uniform() < 0.3 };
    return { inputs: { x: distinct(g, [pick(g, [1, 2]), pick(g, [1, 2]), pick(g, [3, 5]), pick(g, [4, 6])]) }, fn: (x) => ops.maxPool2d(x, opts), attrs: opts };
  },
  avgPool2d: (g) => {
    const opts = { kernel: pick(g, [2, 3]), stride: pick(g, [1, 2]), padding: pick(g, [0, 1]), countIncludePad: g.uniform() < 0.5, ceilMode: g.uniform() < 0.3 };
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), 2, pick(g, [3, 5]), pick(g, [4, 6])]) }, fn: (x) => ops.avgPool2d(x, opts), attrs: opts };
  },
  adaptiveAvgPool2d: (g) => {
    const out: [number, number] = [pick(g, [1, 2, 3]), pick(g, [1, 2, 4])];
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), 2, pick(g, [3, 5]), pick(g, [4, 7])]) }, fn: (x) => ops.adaptiveAvgPool2d(x, out), attrs: { outputSize: out } };
  },
  batchNorm: (g) => {
    const C = pick(g, [1, 3]);
    const s = g.uniform() < 0.5 ? [pick(g, [2, 5]), C] : [pick(g, [1, 2]), C, pick(g, [2, 3]), 2];
    const training = g.uniform() < 0.7;
    const runningMean = rnd(g, [C], -0.5, 0.5);
    const runningVar = rnd(g, [C], 0.5, 1.5);
    return { inputs: { x: rnd(g, s), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => ops.batchNorm(x, w, b, { runningMean, runningVar, training }), attrs: { training } };
  },
  groupNorm: (g) => {
    const groups = pick(g, [1, 2]);
    const C = groups * pick(g, [1, 2]);
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), C, pick(g, [1, 3]), 2]), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => ops.groupNorm(x, groups, w, b), attrs: { groups } };
  },
  rmsNorm: (g) => {
    const D = pick(g, [2, 5, 8]);
    return { inputs: { x: rnd(g, [pick(g, [1, 3]), D]), weight: rnd(g, [D], 0.5, 1.5) }, fn: (x, w) => ops.rmsNorm(x, w) };
  },
  attention: (g) => {
    const s = [pick(g, [1, 2]), pick(g, [1, 2]), pick(g, [1, 3, 5]), pick(g, [2, 4, 8])];
    const causal = g.uniform() < 0.5;
    return { inputs: { q: rnd(g, s, -1, 1), k: rnd(g, s, -1, 1), v: rnd(g, s) }, fn: (q, k, v) => ops.attention(q, k, v, { causal }), attrs: { causal } };
  },
  scatter: (g) => {
    // distinct targets in each line along the axis ((position + a shift per line) mod n): with duplicates
    // only the last write counts
    const { s, axis, is } = gatherIndex(g);
    const n = s[axis];
    is[axis] = Math.min(is[axis], n);
    const inner = size(is.slice(axis + 1));
    const shifts = Array.from({ length: size(is) }, () => g.int(n));
    const line = (i: number) => Math.floor(i / (inner * is[axis])) * inner + (i % inner);
    const index = fromHost(Array.from({ length: size(is) }, (_, i) => (Math.floor(i / inner) % is[axis] + shifts[line(i)]) % n), is, 'i32');
    return { inputs: { x: rnd(g, s), src: rnd(g, is.map((d) => d + g.int(2))) }, fn: (x, src) => ops.scatter(x, axis, index, src) };
  },
  gatherNd: (g) => {
    const [B, X1, X2, D] = [pick(g, [1, 2]), pick(g, [2, 3]), pick(g, [1, 4]), pick(g, [1, 3])];
    const batchDims = g.int(2);
    const k = 1 + g.int(2);
    const M = pick(g, [1, 3, 5]); // repeats likely: the backward adds them
    const lead = batchDims ? [B] : [];
    const idx = fromHost(Array.from({ length: size(lead) * M * k }, (_, i) => { const ext = [X1, X2][i % k]; return g.int(2 * ext) - ext; }), [...lead, M, k], 'i32');
    return { inputs: { x: rnd(g, [...(batchDims ? [B] : []), X1, X2, D]) }, fn: (x) => ops.gatherNd(x, idx, batchDims) };
  },
  scatterNd: (g) => {
    const [X1, X2, D] = [pick(g, [2, 3, 4]), pick(g, [1, 4]), pick(g, [1, 3])];
    const reduction = pick(g, ['none', 'add', 'mul'] as const);
    const cells = [...Array(X1).keys()];
    g.shuffle(cells); // distinct first-axis cells for 'none' (the last write counts) and 'mul'
    const M = 1 + g.int(X1);
    const idx = fromHost(reduction === 'add' ? Array.from({ length: M }, () => g.int(X1)) : cells.slice(0, M), [M, 1], 'i32');
    return { inputs: { x: rnd(g, [X1, X2, D]), updates: rnd(g, [M, X2, D]) }, fn: (x, u) => ops.scatterNd(x, idx, u, { reduction }) };
  },
  // trigonometric and hyperbolic: inside each domain, away from its poles (acosh: 1.1 + |x|)
  sin: unary(ops.sin, -4, 4),
  cos: unary(ops.cos, -4, 4),
  tan: unary(ops.tan, -1.2, 1.2),
  asin: unary(ops.asin, -0.9, 0.9),
  acos: unary(ops.acos, -0.9, 0.9),
  atan: unary(ops.atan, -4, 4),
  sinh: unary(ops.sinh, -3, 3),
  cosh: unary(ops.cosh, -3, 3),
  asinh: unary(ops.asinh, -4, 4),
  acosh: unary((x) => ops.acosh(ops.affine(ops.abs(x), 1, 1.1)), -3, 3),
  atanh: unary(ops.atanh, -0.9, 0.9),
  // kinks at -3 and 3 (and 0 for elu, selu, celu, softsign): the shifted 1e-3 grid never lands on them
  hardsigmoid: (g) => {
    const onnx = g.uniform() < 0.5; // ONNX's alpha 0.2: kinks at -2.5 and 2.5
    return { inputs: { x: rnd(g, shape(g), -4, 4) }, fn: (x) => ops.hardsigmoid(ops.affine(x, 1, 0.0005), onnx ? { alpha: 0.2, beta: 0.5 } : {}) };
  },
  hardswish: unary((x) => ops.hardswish(ops.affine(x, 1, 0.0005)), -4, 4),
  elu: (g) => {
    const which = pick(g, ['elu', 'selu', 'celu'] as const);
    const f = (x: Tensor) => ops.affine(x, 1, 0.0005);
    return { inputs: { x: rnd(g, shape(g), -3, 3) }, fn: (x) => (which === 'elu' ? ops.elu(f(x), 0.7) : which === 'selu' ? ops.selu(f(x)) : ops.celu(f(x), 1.5)) };
  },
  softsign: unary((x) => ops.softsign(ops.affine(x, 1, 0.0005)), -3, 3),
  mish: unary(ops.mish, -4, 4),
  logSigmoid: unary(ops.logSigmoid, -5, 5),
  resize: (g) => {
    const mode = pick(g, ['nearest', 'linear', 'cubic'] as const);
    const coordinateTransformationMode = pick(g, ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const);
    const two = g.uniform() < 0.7;
    const x = rnd(g, two ? [pick(g, [1, 2]), pick(g, [1, 3, 4]), pick(g, [2, 5])] : [2, pick(g, [1, 3, 6])]);
    const size = x.shape.slice(1).map((d) => pick(g, [1, 2, d + 3, 2 * d]));
    const excludeOutside = g.uniform() < 0.3;
    return { inputs: { x }, fn: (t) => ops.resize(t, { size, mode, coordinateTransformationMode, excludeOutside }) };
  },
  shrink: (g) => {
    const which = pick(g, ['hardshrink', 'softshrink', 'shrink'] as const); // kinks at +-0.5 (+-0.3), away from the shifted grid
    return { inputs: { x: rnd(g, shape(g), -2, 2) }, fn: (x) => { const t = ops.affine(x, 1, 0.0005); return which === 'shrink' ? ops.shrink(t, { lambd: 0.3, bias: 0.7 }) : which === 'hardshrink' ? ops.hardshrink(t) : ops.softshrink(t); } };
  },
  threshold: unary((x) => ops.threshold(ops.affine(x, 1, 0.0005), 0.25, -1.5)),
  maxPool2dIndices: (g) => {
    // indices have no gradient; the values they pick do (a wrong index moves the gradient)
    const opts = { kernel: pick(g, [2, 3]), stride: pick(g, [1, 2]), padding: pick(g, [0, 1]), dilation: pick(g, [1, 2]), ceilMode: g.uniform() < 0.5 };
    const s = [pick(g, [1, 2]), 2, pick(g, [3, 5]), pick(g, [4, 6])];
    return { inputs: { x: distinct(g, s) }, fn: (x) => {
      const { values, indices } = ops.maxPool2dWithIndices(x, opts);
      values.dispose();
      return ops.gather(ops.flatten(x, 2), 2, ops.flatten(indices, 2));
    } };
  },
  convTranspose2d: (g) => {
    const groups = pick(g, [1, 1, 2]);
    const [C, O, k] = [groups * pick(g, [1, 2]), groups * pick(g, [1, 3]), pick(g, [1, 2, 3])];
    const [stride, dilation] = [pick(g, [1, 2]), pick(g, [1, 1, 2])];
    const padding = g.int(Math.floor(((k - 1) * dilation) / 2) + 1); // never an empty output
    const outputPadding = g.int(stride);
    const x = rnd(g, [pick(g, [1, 2]), C, pick(g, [2, 3]), pick(g, [2, 4])]);
    const inputs: Record<string, Tensor> = { x, weight: rnd(g, [C, O / groups, k, k]) };
    if (g.uniform() < 0.7) inputs.bias = rnd(g, [O]);
    return { inputs, fn: (xx, w, b) => ops.convTranspose2d(xx, w, b, { stride, padding, outputPadding, dilation, groups }) };
  },
}))();

/** Whole models: a loss of the model's output with respect to all its parameters (a sample of each). The
 * models sit above the core (src/ never imports models/: test/layers.test.ts), so their cases are registered
 * here by models/audit.ts, whose runAudit the entries and the command export. */
export const modelCases: Record<string, Sampler> = {};

/** Adds a whole-model audit row (models/audit.ts); a name is registered once. */
export function registerModelCase(name: string, sampler: Sampler): void {
  if (name in modelCases) throw new Error(`registerModelCase: '${name}' is registered twice`);
  modelCases[name] = sampler;
}

export interface AuditInputCheck {
  input: string;
  shape: number[];
  elements: number;
  /** Elements compared one by one (gradgrad and jvp: 0, they check random directions). */
  checked: number;
  /** Whether a random direction over every element was checked too. */
  directional: boolean;
}

/** What one case checked: its inputs (shapes, elements checked) and its attributes. */
export interface AuditCaseDetail {
  case: number;
  inputs: AuditInputCheck[];
  attrs?: Record<string, unknown>;
}

export interface AuditRow {
  name: string;
  /** What was checked: 'grad' (first order), 'gradgrad' (second order), 'jvp' (forward mode). */
  check?: 'grad' | 'gradgrad' | 'jvp';
  /** Not applicable, with the reason (an op that is not twice differentiable here): listed, not failed. */
  skipped?: string;
  cases: number;
  maxAbsError: number;
  /** max |a - n| / max |n| per input (a scale-relative figure; the criterion is per element). */
  maxRelError: number;
  /** The largest error / bound over every checked element, value and direction (<= 1 passes). */
  worstRatio: number;
  /** The largest |GPU - float64 reference| of the forward value (and of any other path compared). */
  maxValueError: number;
  /** Elements compared one by one, and the elements of the inputs, over every case. */
  checked: number;
  elements: number;
  pass: boolean;
  failures: string[];
  details: AuditCaseDetail[];
}

/** The settings every gradient row of the audit is held to (gradcheck's defaults). */
export const AUDIT_TOLERANCE = { eps: 1e-6, atol: 1e-5, rtol: 5e-3, kappa: 64, valueRtol: 1e-4 };
export const AUDIT_CRITERION = `${criterionText(AUDIT_TOLERANCE)}. Every element of each input up to ${FULL_CHECK_LIMIT} elements; above, a seeded sample of ${FULL_CHECK_LIMIT} plus a random direction over all. Order 2: v^T H u by double backward against float64 second differences (atol 1e-4, rtol 1e-2). Forward mode: jvp against float64 central differences (atol 1e-5, rtol 2e-3 of the largest).`;

const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : String(v));
const at = (coords: number[]) => `[${coords.join(', ')}]`;

/** A failing input in words: where, both values, the bound. */
function inputFailure(c: number, i: InputReport): string {
  const head = `case ${c}, ${i.input} ${at(i.shape)}${i.variant ? ` with kernels ${i.variant}` : ''}`;
  const parts: string[] = [];
  if (i.failed && i.worst) {
    const w = i.worst;
    parts.push(`${i.failed} of ${i.checked} elements over their bound; worst at ${at(w.coords)}: autograd ${sci(w.autograd)}, reference ${sci(w.reference)}, |diff| ${sci(Math.abs(w.autograd - w.reference))} > bound ${sci(w.bound)}`);
  }
  const d = i.directional;
  if (d && !d.pass) parts.push(`along a random direction: autograd ${sci(d.autograd)}, reference ${sci(d.finiteDifference)}, |diff| ${sci(Math.abs(d.autograd - d.finiteDifference))} > bound ${sci(d.bound)}`);
  return `${head}: ${parts.join('; ')}`;
}

function valueFailure(c: number, what: string, v: ValueReport): string {
  const w = v.worst;
  return `case ${c}: ${what} at ${at(w.coords)}: ${sci(w.autograd)} on the GPU, ${sci(w.reference)} by the float64 reference, |diff| ${sci(Math.abs(w.autograd - w.reference))} > bound ${sci(w.bound)} (${v.failed} of ${v.elements} elements)`;
}

interface Entry {
  name: string;
  primitive?: Primitive;
  sampler: Sampler;
}

/** Every audited function by name: the primitives, one row per registered row loss (and per fused linear
 * strategy), the models and every defineOp op. */
function entries(): Entry[] {
  const out: Entry[] = [];
  const names = ops.rowLossNames();
  for (const [p, sampler] of Object.entries(primitiveCases) as [Primitive, Sampler][]) {
    if (p === 'rowLoss') for (const n of names) out.push({ name: `rowLoss: ${n}`, primitive: p, sampler: rowLossCase(n) });
    else if (p === 'linearLoss') for (const n of names) for (const st of ['chunked', 'tiled'] as const) out.push({ name: `linearLoss: ${n} (${st})`, primitive: p, sampler: linearLossCase(n, st) });
    else out.push({ name: p, primitive: p, sampler });
  }
  for (const [name, sampler] of Object.entries(modelCases)) out.push({ name, sampler });
  for (const [name, op] of customOps.entries())
    out.push({
      name: `custom: ${name}`,
      primitive: 'custom',
      sampler: (g) => {
        const { inputs, attrs } = op.spec.sample(g);
        const grads = op.spec.gradients ?? op.spec.inputs.map((d, i) => (d === 'f32' ? i : -1)).filter((i) => i >= 0);
        const named = Object.fromEntries(grads.map((i) => [`input ${i}`, inputs[i]]));
        return { inputs: named, fn: (...xs) => op(inputs.map((t, i) => (grads.includes(i) ? xs[grads.indexOf(i)] : t)), attrs), ...(attrs && Object.keys(attrs).length ? { attrs } : {}) };
      },
    });
  return out;
}

/** The names of the audit's rows (what --only matches against). */
export const auditNames = (): string[] => entries().map((e) => e.name);

export interface AuditOptions {
  seed?: number;
  cases?: number;
  /** Name fragments: a row runs when its name contains one. */
  only?: string[];
  onRow?: (r: AuditRow) => void;
  order?: 1 | 2;
  forward?: boolean;
  allVariants?: boolean;
}

/** Runs the audit; `only` filters by name substring. */
export async function runAudit(opts: AuditOptions = {}): Promise<AuditRow[]> {
  checkOptions('runAudit', opts, ['seed', 'cases', 'only', 'onRow', 'order', 'forward', 'allVariants']);
  const { seed = 0, cases = 3, only } = opts;
  const checks: NonNullable<AuditRow['check']>[] = ['grad', ...(opts.order === 2 ? (['gradgrad'] as const) : []), ...(opts.forward ? (['jvp'] as const) : [])];
  const all = entries();
  const rows: AuditRow[] = [];
  for (const check of checks)
    for (const { name, primitive, sampler } of all) {
      if (only && !only.some((o) => name.includes(o))) continue;
      const row: AuditRow = { name: check === 'grad' ? name : `${name} (${check})`, check, cases: 0, maxAbsError: 0, maxRelError: 0, worstRatio: 0, maxValueError: 0, checked: 0, elements: 0, pass: true, failures: [], details: [] };
      const rule = primitive ? (higherOrder[primitive] as HigherOrder<unknown> | undefined) : undefined;
      if (check !== 'grad' && (primitive === 'custom' || (rule && 'none' in rule))) {
        row.skipped = rule && 'none' in rule ? rule.none : "a defineOp op's backward is its own kernel, which has no derivative";
        rows.push(row);
        opts.onRow?.(row);
        continue;
      }
      const unsupported: string[] = [];
      for (let c = 0; c < cases; c++) {
        const caseSeed = seed * 1000 + c;
        const g = new Generator(caseSeed);
        manualSeed(caseSeed);
        let tensors: Tensor[] = [];
        try {
          const cs = sampler(g);
          tensors = Object.values(cs.inputs);
          const detail: AuditCaseDetail = { case: c, inputs: Object.entries(cs.inputs).map(([input, t]) => ({ input, shape: [...t.shape], elements: t.size, checked: 0, directional: check !== 'grad' })), ...(cs.attrs ? { attrs: cs.attrs } : {}) };
          row.details.push(detail);
          for (const i of detail.inputs) row.elements += i.elements;
          if (check === 'grad') {
            const r = await gradcheck(cs.fn, cs.inputs, { ...(cs.samples ? { samples: cs.samples } : {}), seed: caseSeed, allVariants: opts.allVariants });
            for (const i of r.inputs) {
              if (!i.variant || i.variant === r.inputs[0].variant) {
                const d = detail.inputs.find((x) => x.input === i.input)!;
                d.checked = i.checked;
                d.directional = !!i.directional;
                row.checked += i.checked;
              }
              row.maxAbsError = Math.max(row.maxAbsError, i.maxAbsError);
              row.maxRelError = Math.max(row.maxRelError, i.maxRelError);
              if (i.worst) row.worstRatio = Math.max(row.worstRatio, Math.abs(i.worst.autograd - i.worst.reference) / i.worst.bound);
              if (i.directional) row.worstRatio = Math.max(row.worstRatio, Math.abs(i.directional.autograd - i.directional.finiteDifference) / i.directional.bound);
              if (!i.pass) row.failures.push(inputFailure(c, i));
            }
            row.maxValueError = Math.max(row.maxValueError, r.value.maxAbsError);
            row.worstRatio = Math.max(row.worstRatio, Math.abs(r.value.worst.autograd - r.value.worst.reference) / r.value.worst.bound);
            if (!r.value.pass) row.failures.push(valueFailure(c, 'forward value', r.value));
            for (const other of cs.compare ?? []) {
              const v = await checkValue(other.fn, cs.fn, cs.inputs, { atol: AUDIT_TOLERANCE.atol, valueRtol: AUDIT_TOLERANCE.valueRtol, kappa: AUDIT_TOLERANCE.kappa });
              row.maxValueError = Math.max(row.maxValueError, v.maxAbsError);
              if (!v.pass) row.failures.push(valueFailure(c, `forward value of ${other.label}`, v));
            }
            if (r.deterministic === false) row.failures.push(`case ${c}: a second backward gave different bits`);
          } else if (check === 'gradgrad') {
            const r = await gradgradcheck(cs.fn, cs.inputs, { directions: 1, seed: c });
            for (const k of r.checks) {
              row.maxAbsError = Math.max(row.maxAbsError, k.error);
              row.maxRelError = Math.max(row.maxRelError, k.error / Math.max(Math.abs(k.finiteDifference), 1e-4));
              row.worstRatio = Math.max(row.worstRatio, k.error / k.bound);
              if (!k.pass) row.failures.push(`case ${c}: v^T H u ${k.autograd.toExponential(4)} by double backward, ${k.finiteDifference.toExponential(4)} by float64 second differences, |diff| ${sci(k.error)} > bound ${sci(k.bound)}`);
            }
          } else {
            const r = await checkForward(cs.fn, cs.inputs, { seed: c });
            row.maxAbsError = Math.max(row.maxAbsError, r.maxAbsError);
            row.maxRelError = Math.max(row.maxRelError, r.maxAbsError / Math.max(r.scale, 1e-5));
            row.worstRatio = Math.max(row.worstRatio, r.maxAbsError / r.bound);
            if (!r.pass) row.failures.push(`case ${c}: jvp off by ${r.maxAbsError.toExponential(2)} at output ${at(r.worst.coords)} (jvp ${sci(r.worst.autograd)}, float64 ${sci(r.worst.reference)}; bound ${sci(r.bound)})`);
          }
        } catch (e) {
          const msg = (e as Error).message;
          // a model through an op without a recorded backward: listed with that op's reason
          if (check !== 'grad' && /cannot record its backward/.test(msg)) unsupported.push(msg);
          else row.failures.push(`case ${c}: ${msg}`);
        }
        for (const t of tensors) t.dispose();
        row.cases++;
      }
      // listed as not applicable when no case had a rule; otherwise the cases that had one count
      if (unsupported.length === row.cases) row.skipped = unsupported[0];
      else row.cases -= unsupported.length;
      row.pass = row.failures.length === 0;
      rows.push(row);
      opts.onRow?.(row);
    }
  return rows;
}

/** "all 341" or "1200 of 9000 (+ a random direction)": the elements a row compared one by one. */
export function checkedText(r: AuditRow): string {
  if (r.check && r.check !== 'grad') return 'directions';
  const dir = r.details.some((d) => d.inputs.some((i) => i.directional && i.checked < i.elements));
  return r.checked === r.elements ? `all ${r.elements}` : `${r.checked}/${r.elements}${dir ? '+dir' : ''}`;
}

/** One line per case: its inputs' shapes and elements checked, and its attributes. */
export function caseText(d: AuditCaseDetail): string {
  const ins = d.inputs.map((i) => `${i.input} ${at(i.shape)} ${i.checked}/${i.elements}${i.directional ? ' +direction' : ''}`).join(', ');
  const attrs = d.attrs ? Object.entries(d.attrs).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ') : '';
  return `case ${d.case}: ${ins}${attrs ? `; ${attrs}` : ''}`;
}

const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The audit as markdown: the criterion and its values, one table row per audited function, the cases
 * (shapes, attributes, elements checked) and every failure. */
export function auditMarkdown(rows: AuditRow[], meta: { seed: number; cases: number; seconds?: number; adapter?: string }): string {
  const live = rows.filter((r) => !r.skipped);
  const failed = live.filter((r) => !r.pass);
  const out = [
    `# rootgrad audit`,
    '',
    `${live.length - failed.length}/${live.length} passed (seed ${meta.seed}, ${meta.cases} cases per row${meta.seconds === undefined ? '' : `, ${meta.seconds.toFixed(1)} s`}${meta.adapter ? `, on ${meta.adapter}` : ''}).`,
    '',
    `Criterion: ${AUDIT_CRITERION}`,
    '',
    '| name | cases | elements checked | max abs error | max rel error | worst error / bound | max value error | status |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => (r.skipped ? `| ${r.name} | - | - | - | - | - | - | n/a: ${r.skipped} |` : `| ${r.name} | ${r.cases} | ${checkedText(r)} | ${sci(r.maxAbsError)} | ${sci(r.maxRelError)} | ${sci(r.worstRatio)} | ${sci(r.maxValueError)} | ${r.pass ? 'pass' : '**FAIL**'} |`)),
    '',
    '## Cases',
    '',
    ...live.flatMap((r) => [`- **${r.name}**`, ...r.details.map((d) => `  - ${caseText(d)}`)]),
  ];
  if (failed.length) out.push('', '## Failures', '', ...failed.flatMap((r) => r.failures.map((f) => `- ${r.name}: ${f}`)));
  return out.join('\n') + '\n';
}

/** A standalone page: the criterion, a chart of each row's worst error / bound (log scale, the tolerance
 * drawn at 1) and the markdown's table. */
export function auditHtml(rows: AuditRow[], meta: { seed: number; cases: number; seconds?: number; adapter?: string }): string {
  const live = rows.filter((r) => !r.skipped);
  const chart = ratioChart(live.map((r) => ({ label: r.name, ratio: r.worstRatio, pass: r.pass })), 'worst |autograd - reference| / bound per row (log scale; the bound is the tolerance, at 1)');
  const table = rows.map((r) => `<tr class="${r.pass ? '' : 'fail'}"><td>${escHtml(r.name)}</td><td>${r.skipped ? '-' : r.cases}</td><td>${r.skipped ? '-' : checkedText(r)}</td><td>${r.skipped ? '-' : sci(r.maxAbsError)}</td><td>${r.skipped ? '-' : sci(r.worstRatio)}</td><td>${r.skipped ? '-' : sci(r.maxValueError)}</td><td>${r.skipped ? `n/a: ${escHtml(r.skipped)}` : r.pass ? 'pass' : 'FAIL'}</td></tr>`);
  const cases = live.map((r) => `<details><summary>${escHtml(r.name)}</summary><ul>${r.details.map((d) => `<li>${escHtml(caseText(d))}</li>`).join('')}${r.failures.map((f) => `<li class="fail">${escHtml(f)}</li>`).join('')}</ul></details>`);
  const failed = live.filter((r) => !r.pass).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rootgrad audit</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.fail,li.fail{background:#fdd}</style>
</head><body>
<h1 style="font-size:1.2rem">rootgrad audit</h1>
<p>${live.length - failed}/${live.length} passed (seed ${meta.seed}, ${meta.cases} cases per row${meta.seconds === undefined ? '' : `, ${meta.seconds.toFixed(1)} s`}${meta.adapter ? `, on ${escHtml(meta.adapter)}` : ''}).</p>
<p>Criterion: ${escHtml(AUDIT_CRITERION)}</p>
${chart}
<table><tr><th>name</th><th>cases</th><th>elements checked</th><th>max abs error</th><th>worst error / bound</th><th>max value error</th><th>status</th></tr>
${table.join('\n')}
</table>
<h2 style="font-size:1rem">Cases</h2>
${cases.join('\n')}
</body></html>
`;
}
