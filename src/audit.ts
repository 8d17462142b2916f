// The gradient audit behind `rootgrad audit`: gradcheck over every primitive of the op table, every
// loss, every model and every op added with defineOp, at several seeded random shapes. The case table is
// typed by Primitive, so a new primitive without an audit case does not compile.
import { fromHost } from './creation.js';
import { Generator, manualSeed } from './random.js';
import { gradcheck } from './gradcheck.js';
import { checkForward, gradgradcheck } from './autodiff.js';
import { higherOrder, type HigherOrder } from './ops/higher_order.js';
import type { Primitive } from './ops/def.js';
import type { Tensor } from './tensor.js';
import { customOps } from './custom.js';
import { dropoutWithSeed } from './ops/dropout.js';
import { multinomialWithSeed } from './ops/random.js';
import * as ops from './ops/all.js';
import { buildModel } from '../models/index.js';
import { GPT } from '../models/gpt.js';

export interface AuditCase {
  inputs: Record<string, Tensor>;
  fn: (...xs: Tensor[]) => Tensor;
  samples?: number;
}

type Sampler = (g: Generator) => AuditCase;

const dims = [1, 2, 3, 5, 7];
const pick = <T>(g: Generator, xs: readonly T[]): T => xs[g.int(xs.length)];
const shape = (g: Generator, min = 1, max = 3) => Array.from({ length: min + g.int(max - min + 1) }, () => pick(g, dims));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Values on a 1e-3 grid in [lo, hi] (never subnormal: SwiftShader flushes those). */
const rnd = (g: Generator, s: number[], lo = -2, hi = 2) => fromHost(Array.from({ length: size(s) }, () => Math.round((lo + (hi - lo) * g.uniform()) * 1000) / 1000), s, 'f32');
const labels = (g: Generator, n: number, C: number) => fromHost(Array.from({ length: n }, () => g.int(C)), [n], 'i32');
const unary = (f: (x: Tensor) => Tensor, lo = -2, hi = 2): Sampler => (g) => ({ inputs: { x: rnd(g, shape(g), lo, hi) }, fn: f });
const binary = (f: (a: Tensor, b: Tensor) => Tensor): Sampler => (g) => {
  const out = shape(g, 1, 3);
  const a = out.map((d) => (g.uniform() < 0.3 ? 1 : d));
  const b = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.3 ? 1 : d));
  const bt = rnd(g, b, 0.5, 2);
  return { inputs: { a: rnd(g, a), b: bt }, fn: f };
};
/** Logits [N, C] or [2, N, C] (class axis last), some labels ignoreIndex (-100) now and then. */
const multiclass = (f: (z: Tensor, y: Tensor) => Tensor): Sampler => (g) => {
  const [N, C] = [pick(g, [1, 3, 8]), pick(g, [2, 5, 17])];
  const lead = g.uniform() < 0.3 ? [2, N] : [N];
  const y = fromHost(Array.from({ length: size(lead) }, () => (g.uniform() < 0.2 ? -100 : g.int(C))), lead, 'i32');
  return { inputs: { logits: rnd(g, [...lead, C], -4, 4) }, fn: (z) => f(z, y) };
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

/** One case per primitive; `custom` is audited once per op made with defineOp, with that op's own sample. */
export const primitiveCases: Record<Exclude<Primitive, 'custom'>, Sampler> = {
  neg: unary(ops.neg),
  exp: unary(ops.exp),
  log: unary(ops.log, 0.1, 3),
  sqrt: unary(ops.sqrt, 0.1, 3),
  tanh: unary(ops.tanh),
  relu: (g) => {
    const sign = g.uniform() < 0.5 ? 1 : -1; // both sides of the kink, never at it
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.relu(ops.affine(x, sign)) };
  },
  sigmoid: unary(ops.sigmoid, -4, 4),
  gelu: (g) => {
    const approximate = pick(g, ['none', 'tanh'] as const);
    return { inputs: { x: rnd(g, shape(g), -3, 3) }, fn: (x) => ops.gelu(x, { approximate }) };
  },
  // kinks kept away from: |x| >= 0.05 on the sampled grid
  abs: (g) => {
    const s = pick(g, [1, -1]); // drawn here: fn must be the same function at every call
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.abs(ops.affine(x, s)) };
  },
  sign: (g) => ({ inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.mul(ops.sign(ops.affine(x, -1)), x) }),
  clamp: (g) => ({ inputs: { x: rnd(g, shape(g), -2, 2) }, fn: (x) => ops.clamp(ops.affine(x, 1, 0.0005), -1.0003, 0.5007) }),
  erf: unary(ops.erf, -3, 3),
  silu: unary(ops.silu, -4, 4),
  softplus: (g) => {
    const beta = pick(g, [1, 2]);
    return { inputs: { x: rnd(g, shape(g), -3, 3) }, fn: (x) => ops.softplus(ops.affine(x, 1, 0.0005), beta, 1.5) };
  },
  leakyRelu: (g) => {
    const s = pick(g, [1, -1]);
    return { inputs: { x: rnd(g, shape(g), 0.05, 2) }, fn: (x) => ops.leakyRelu(ops.affine(x, s), 0.1) };
  },
  powScalar: (g) => {
    const p = pick(g, [2, 3, 0.5, -1, 1.5]);
    return { inputs: { x: rnd(g, shape(g), 0.3, 2) }, fn: (x) => ops.pow(x, p) };
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
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.sum(x, axis, keepdim) };
  },
  max: (g) => {
    const s = shape(g);
    const n = size(s);
    const order = Array.from({ length: n }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: a unique maximum
    const axis = g.int(s.length);
    return { inputs: { x }, fn: (t) => ops.max(t, axis) };
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
    return { inputs: { x }, fn: (t) => ops.min(t, axes) };
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
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.cumsum(x, axis, opts) };
  },
  topkIndices: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    const k = 1 + g.int(s[axis]);
    const order = Array.from({ length: size(s) }, (_, i) => i);
    g.shuffle(order);
    const x = fromHost(order.map((i) => i / 100 - 1), s, 'f32'); // distinct: one order
    return { inputs: { x }, fn: (t) => ops.topk(t, k, axis).values };
  },
  multinomial: (g) => {
    // samples have no gradient; picking the drawn probabilities does: the draws must match the reference's
    const [rows, C] = [pick(g, [1, 3]), pick(g, [2, 5, 9])];
    const n = 1 + g.int(C);
    const replacement = g.uniform() < 0.5;
    const seed = g.int(1 << 30);
    return { inputs: { p: rnd(g, [rows, C], 0.1, 2) }, fn: (p) => ops.gather(p, 1, multinomialWithSeed(p, n, replacement, seed)) };
  },
  sumTo: (g) => {
    const out = shape(g, 1, 3);
    const target = out.slice(g.int(out.length)).map((d) => (g.uniform() < 0.5 ? 1 : d));
    return { inputs: { x: rnd(g, out) }, fn: (x) => ops.sumTo(x, target) };
  },
  dropout: (g) => {
    const p = pick(g, [0.2, 0.5]);
    const seed = g.int(1 << 30);
    return { inputs: { x: rnd(g, shape(g)) }, fn: (x) => dropoutWithSeed(x, p, seed) }; // one mask for every call
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
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.slice(x, axis, start, undefined, step) };
  },
  cat: (g) => {
    const s = shape(g, 1, 3);
    const axis = g.int(s.length);
    const other = s.map((d, i) => (i === axis ? pick(g, [1, 2, 3]) : d));
    return { inputs: { a: rnd(g, s), b: rnd(g, other) }, fn: (a, b) => ops.cat([a, b, a], axis) };
  },
  pad: (g) => {
    const s = shape(g, 1, 3).map((d) => d + 1); // room to crop one
    const pads = s.slice(0, 1 + g.int(s.length)).flatMap(() => [pick(g, [0, 1, 2, -1]), pick(g, [0, 2, -1])]);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.pad(x, pads, 0.5) };
  },
  triangle: (g) => {
    const s = [pick(g, [1, 2]), pick(g, [1, 3, 4]), pick(g, [2, 3, 5])];
    const [upper, diagonal] = [g.uniform() < 0.5, pick(g, [-1, 0, 1, 2])];
    return { inputs: { x: rnd(g, s) }, fn: (x) => (upper ? ops.triu(x, diagonal) : ops.tril(x, diagonal)) };
  },
  indexSelect: (g) => {
    const s = shape(g, 1, 3);
    const axis = g.int(s.length);
    const index = labels(g, pick(g, [1, 3, 5]), s[axis]); // repeats likely: the backward adds them
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.indexSelect(x, axis, index) };
  },
  gather: (g) => {
    const { s, axis, index } = gatherIndex(g);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.gather(x, axis, index) };
  },
  scatterAdd: (g) => {
    const { s, axis, index, is } = gatherIndex(g);
    const ss = is.map((d) => d + g.int(2)); // src may be larger than the index
    return { inputs: { x: rnd(g, s), src: rnd(g, ss) }, fn: (x, src) => ops.scatterAdd(x, axis, index, src) };
  },
  reshape: unary((x) => ops.reshape(x, [-1])),
  permute: (g) => {
    const s = shape(g, 2, 3);
    const perm = s.map((_, i) => i);
    g.shuffle(perm);
    return { inputs: { x: rnd(g, s) }, fn: (x) => ops.permute(x, perm) };
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
    return { inputs: { x: rnd(g, [m, k], -1, 1), weight: rnd(g, [n, k], -1, 1), bias: rnd(g, [n], -1, 1) }, fn: (x, w, b) => ops.linear(x, w, b, activation === 'relu' ? 'none' : activation) };
  },
  softmax: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => ops.softmax(x, axis) };
  },
  logSoftmax: (g) => {
    const s = shape(g);
    const axis = g.int(s.length);
    return { inputs: { x: rnd(g, s, -3, 3) }, fn: (x) => ops.logSoftmax(x, axis) };
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
    return multiclass((z, y) => ops.crossEntropy(z, y, { labelSmoothing }))(g);
  },
  focalLoss: multiclass((z, y) => ops.focalLoss(z, y)),
  rootedLoss: multiclass((z, y) => ops.rootedLoss(z, y)),
  rootedLogisticLoss: binaryLoss((z, y) => ops.rootedLogisticLoss(z, y)),
  rowLoss: (g) => {
    const name = pick(g, ops.rowLossNames());
    return multiclass((z, y) => ops.rowLoss(name, z, y))(g);
  },
  linearLoss: (g) => {
    // sometimes over 64 rows, so that a second chunk (and the in-order weight-gradient sum) is checked
    const [N, D, V] = [pick(g, [1, 5, 70]), pick(g, [1, 3, 4]), pick(g, [2, 9])];
    const y = fromHost(Array.from({ length: N }, () => (g.uniform() < 0.2 ? -100 : g.int(V))), [N], 'i32');
    const strategy = pick(g, ['chunked', 'tiled'] as const);
    const reduction = pick(g, ['mean', 'sum', 'none'] as const);
    const f = pick(g, [ops.linearCrossEntropy, ops.linearRootedLoss, ops.linearFocalLoss]);
    const inputs: Record<string, Tensor> = { h: rnd(g, [N, D]), weight: rnd(g, [V, D]) };
    if (g.uniform() < 0.5) inputs.bias = rnd(g, [V]);
    const weights = rnd(g, [N]); // reduction 'none': a random weight per row, so that per-row gradients count
    const out = (t: Tensor) => (reduction === 'none' ? ops.sum(ops.mul(t, weights)) : t);
    return { inputs, fn: (h, w, b) => out(f(h, w, y, { bias: b ?? null, strategy, reduction, chunkRows: 64 })), samples: 12 };
  },
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
    return { inputs, fn: (xx, w, b) => ops.conv2d(xx, w, b, { stride, padding, dilation, groups }) };
  },
  maxPool2d: (g) => {
    const opts = { kernel: pick(g, [2, 3]), stride: pick(g, [1, 2]), padding: pick(g, [0, 1]), dilation: pick(g, [1, 1, 2]), ceilMode: g.uniform() < 0.3 };
    return { inputs: { x: distinct(g, [pick(g, [1, 2]), pick(g, [1, 2]), pick(g, [3, 5]), pick(g, [4, 6])]) }, fn: (x) => ops.maxPool2d(x, opts) };
  },
  avgPool2d: (g) => {
    const opts = { kernel: pick(g, [2, 3]), stride: pick(g, [1, 2]), padding: pick(g, [0, 1]), countIncludePad: g.uniform() < 0.5, ceilMode: g.uniform() < 0.3 };
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), 2, pick(g, [3, 5]), pick(g, [4, 6])]) }, fn: (x) => ops.avgPool2d(x, opts) };
  },
  adaptiveAvgPool2d: (g) => {
    const out: [number, number] = [pick(g, [1, 2, 3]), pick(g, [1, 2, 4])];
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), 2, pick(g, [3, 5]), pick(g, [4, 7])]) }, fn: (x) => ops.adaptiveAvgPool2d(x, out) };
  },
  batchNorm: (g) => {
    const C = pick(g, [1, 3]);
    const s = g.uniform() < 0.5 ? [pick(g, [2, 5]), C] : [pick(g, [1, 2]), C, pick(g, [2, 3]), 2];
    const training = g.uniform() < 0.7;
    const runningMean = rnd(g, [C], -0.5, 0.5);
    const runningVar = rnd(g, [C], 0.5, 1.5);
    return { inputs: { x: rnd(g, s), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => ops.batchNorm(x, w, b, { runningMean, runningVar, training }) };
  },
  groupNorm: (g) => {
    const groups = pick(g, [1, 2]);
    const C = groups * pick(g, [1, 2]);
    return { inputs: { x: rnd(g, [pick(g, [1, 2]), C, pick(g, [1, 3]), 2]), weight: rnd(g, [C], 0.5, 1.5), bias: rnd(g, [C]) }, fn: (x, w, b) => ops.groupNorm(x, groups, w, b) };
  },
  rmsNorm: (g) => {
    const D = pick(g, [2, 5, 8]);
    return { inputs: { x: rnd(g, [pick(g, [1, 3]), D]), weight: rnd(g, [D], 0.5, 1.5) }, fn: (x, w) => ops.rmsNorm(x, w) };
  },
  attention: (g) => {
    const s = [pick(g, [1, 2]), pick(g, [1, 2]), pick(g, [1, 3, 5]), pick(g, [2, 4, 8])];
    const causal = g.uniform() < 0.5;
    return { inputs: { q: rnd(g, s, -1, 1), k: rnd(g, s, -1, 1), v: rnd(g, s) }, fn: (q, k, v) => ops.attention(q, k, v, { causal }) };
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
};

/** Whole models: a loss of the model's output with respect to all its parameters (a sample of each). */
export const modelCases: Record<string, Sampler> = {
  'model: mlp': (g) => {
    const m = buildModel({ kind: 'mlp', inputs: 6, hidden: [8, 8], classes: 3 });
    const x = rnd(g, [4, 6]);
    const y = labels(g, 4, 3);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLoss(m.forward(x), y), samples: 8 };
  },
  'model: logistic': (g) => {
    const m = buildModel({ kind: 'logistic', inputs: 5 });
    const x = rnd(g, [6, 5]);
    const y = fromHost([0, 1, 1, 0, 1, 0], [6], 'i32');
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLogisticLoss(m.forward(x), y), samples: 6 };
  },
  'model: vit': (g) => {
    const m = buildModel({ kind: 'vit', side: 4, patch: 2, dim: 8, heads: 2, layers: 1, classes: 3 });
    const x = rnd(g, [2, 16]);
    const y = labels(g, 2, 3);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.rootedLoss(m.forward(x), y), samples: 4 };
  },
  'model: gpt': (g) => {
    const m = new GPT({ kind: 'gpt', vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 });
    const ids = fromHost(Array.from({ length: 8 }, () => g.int(5)), [2, 4], 'i32');
    const y = labels(g, 8, 5);
    return { inputs: Object.fromEntries(m.namedParameters()), fn: () => ops.crossEntropy(ops.reshape(m.forward(ids), [-1, 5]), y), samples: 4 };
  },
};

export interface AuditRow {
  name: string;
  /** What was checked: 'grad' (first order), 'gradgrad' (second order), 'jvp' (forward mode). */
  check?: 'grad' | 'gradgrad' | 'jvp';
  /** Not applicable, with the reason (an op that is not twice differentiable here): listed, not failed. */
  skipped?: string;
  cases: number;
  maxAbsError: number;
  maxRelError: number;
  pass: boolean;
  failures: string[];
}

/** Runs the audit; `only` filters by name substring. */
export async function runAudit(opts: { seed?: number; cases?: number; only?: string[]; onRow?: (r: AuditRow) => void; order?: 1 | 2; forward?: boolean; allVariants?: boolean } = {}): Promise<AuditRow[]> {
  const { seed = 0, cases = 3, only } = opts;
  const checks: NonNullable<AuditRow['check']>[] = ['grad', ...(opts.order === 2 ? (['gradgrad'] as const) : []), ...(opts.forward ? (['jvp'] as const) : [])];
  const all: [string, Sampler][] = [
    ...(Object.entries(primitiveCases) as [string, Sampler][]),
    ...Object.entries(modelCases),
    ...[...customOps.entries()].map(([name, op]): [string, Sampler] => [
      `custom: ${name}`,
      (g) => {
        const { inputs, attrs } = op.spec.sample(g);
        const grads = op.spec.gradients ?? op.spec.inputs.map((d, i) => (d === 'f32' ? i : -1)).filter((i) => i >= 0);
        const named = Object.fromEntries(grads.map((i) => [`input ${i}`, inputs[i]]));
        return { inputs: named, fn: (...xs) => op(inputs.map((t, i) => (grads.includes(i) ? xs[grads.indexOf(i)] : t)), attrs) };
      },
    ]),
  ];
  const rows: AuditRow[] = [];
  for (const check of checks)
    for (const [name, sampler] of all) {
      if (only && !only.some((o) => name.includes(o))) continue;
      const row: AuditRow = { name: check === 'grad' ? name : `${name} (${check})`, check, cases: 0, maxAbsError: 0, maxRelError: 0, pass: true, failures: [] };
      const rule = higherOrder[name as Primitive] as HigherOrder<unknown> | undefined;
      if (check !== 'grad' && (name.startsWith('custom') || (rule && 'none' in rule))) {
        row.skipped = rule && 'none' in rule ? rule.none : "a defineOp op's backward is its own kernel, which has no derivative";
        rows.push(row);
        opts.onRow?.(row);
        continue;
      }
      const unsupported: string[] = [];
      for (let c = 0; c < cases; c++) {
        const g = new Generator(seed * 1000 + c);
        manualSeed(seed * 1000 + c);
        let tensors: Tensor[] = [];
        try {
          const cs = sampler(g);
          tensors = Object.values(cs.inputs);
          if (check === 'grad') {
            const r = await gradcheck(cs.fn, cs.inputs, { samples: cs.samples ?? 24, seed: c, allVariants: opts.allVariants });
            for (const i of r.inputs) {
              row.maxAbsError = Math.max(row.maxAbsError, i.maxAbsError);
              row.maxRelError = Math.max(row.maxRelError, i.maxRelError);
              if (!i.pass) row.failures.push(`case ${c}, ${i.input} [${i.shape.join(', ')}]${i.variant ? ` with kernels ${i.variant}` : ''}: error ${i.maxAbsError.toExponential(2)} at ${i.worstIndex}`);
            }
          } else if (check === 'gradgrad') {
            const r = await gradgradcheck(cs.fn, tensors, { directions: 1, seed: c });
            for (const k of r.checks) {
              row.maxAbsError = Math.max(row.maxAbsError, k.error);
              row.maxRelError = Math.max(row.maxRelError, k.error / Math.max(Math.abs(k.finiteDifference), 1e-4));
              if (!k.pass) row.failures.push(`case ${c}: v^T H u ${k.autograd.toExponential(4)} by double backward, ${k.finiteDifference.toExponential(4)} by float64 second differences`);
            }
          } else {
            const r = await checkForward(cs.fn, tensors, { seed: c });
            row.maxAbsError = Math.max(row.maxAbsError, r.maxAbsError);
            row.maxRelError = Math.max(row.maxRelError, r.maxAbsError / Math.max(r.scale, 1e-5));
            if (!r.pass) row.failures.push(`case ${c}: jvp off by ${r.maxAbsError.toExponential(2)} (scale ${r.scale.toExponential(2)})`);
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
