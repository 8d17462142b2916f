// Backward rules that record a graph: what each primitive does under backward({ createGraph: true }) and
// grad(..., { createGraph: true }), so that gradients can be differentiated again (Hessian-vector
// products, jvp by the double-VJP construction, gradient penalties).
//
// The table is typed over every primitive (a new op without an entry does not compile). An entry is one of:
//   { ops: true }       the op's own backward rule is written in differentiable ops: run as is;
//   { backward: rule }  a rule in differentiable ops (the op's own rule dispatches a backward kernel);
//   recompute(compose)  the fused op recomputed as a composition of primitives, differentiated through
//                       with createGraph (layer norm, attention, linear, the fused losses);
//   { none: reason }    not twice differentiable here, with the reason; asking throws naming the op.
// Rules receive the tensors the forward pass saved as the original tensors (with their graphs), so that
// gradients flow through them too.
import type { Tensor } from '../tensor.js';
import { grad, hooks } from '../tensor.js';
import type { Attrs, Primitive } from './def.js';
import { apply } from './apply.js';
import { add, div, mul, sub } from './binary.js';
import { abs, affine, erf, exp, gelu, neg, pow, relu, sigmoid, sign, softplus, tanh, sin, cos, sinh, cosh, sqrt } from './unary.js';
import { mean, sum, sumTo } from './reduce.js';
import { matmul } from './matmul.js';
import { permute, transpose, reshape } from './movement.js';
import { cast } from './cast.js';
import { eq, ge, gt, le, logicalAnd, logicalOr, lt, where } from './masks.js';
import { cat, narrow } from './joining.js';
import { arange, fromHost, zeros, zerosLike } from '../creation.js';
import { crossEntropy, focalLoss, rootedLoss, rootedLogisticLoss, binaryCrossEntropy } from './losses.js';
import { rowLossOn } from './linear_losses.js';
import { convTransposeGraphRule } from './conv_transpose.js';

type Rule<A> = (g: Tensor, saved: Tensor[], attrs: A, inputs: readonly Tensor[]) => (Tensor | null)[];
/** `savesInputs`: the forward pass also keeps its inputs (shared storage, no copy) for the rule, which
 * then finds them at the end of `saved` (a fused loss's reshaped labels are disposed before backward). */
export type HigherOrder<A> = { ops: true } | { backward: Rule<A>; savesInputs?: number } | { none: string };

/** The fused op's gradient by recomputing it as `compose` (differentiable primitives) and differentiating
 * that with createGraph: exact, at the cost of the composition's memory. */
function recompute<A>(compose: (inputs: readonly Tensor[], attrs: A, all: readonly Tensor[]) => Tensor, differentiated = Infinity): HigherOrder<A> {
  return {
    // the first `differentiated` inputs are kept for the rule (batch norm's running statistics are not:
    // the forward writes them in place)
    savesInputs: differentiated,
    backward(g, saved, attrs, all) {
      const inputs = all.slice(0, differentiated);
      // The inputs (or stand-ins where disposed), each through an identity op: the composition is
      // differentiated with respect to these, so that one input reached again through another (a tied
      // weight upstream of h) gives the op's partial derivatives, as its own rule would.
      const xs = saved.slice(saved.length - inputs.length).map((t, i) => (inputs[i].requiresGrad ? hooks.view(t) : t));
      const wanted = xs.filter((_, i) => inputs[i].requiresGrad);
      const out = compose(xs, attrs, all);
      const gs = grad(out, wanted, { gradOutputs: g, createGraph: true, allowUnused: true });
      out.dispose();
      return all.map((_, i) => (i < xs.length && inputs[i].requiresGrad ? gs[wanted.indexOf(xs[i])] ?? zerosLike(xs[i]) : null));
    },
  };
}

/** A unary op's derivative in ops: dx from x, y (the output) and g. */
function unary<A>(d: (x: Tensor, y: Tensor, g: Tensor, attrs: A) => Tensor): HigherOrder<A> {
  return { backward: (g, [x, y], attrs) => [d(x, y, g, attrs)] };
}

const mask = (b: Tensor) => cast(b, 'f32');
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = Math.sqrt(2 / Math.PI);

/** dGELU/dx, exact: Phi(x) + x phi(x). */
function geluErfGrad(x: Tensor): Tensor {
  return add(affine(erf(affine(x, SQRT1_2)), 0.5, 0.5), mul(x, affine(exp(affine(mul(x, x), -0.5)), INV_SQRT_2PI)));
}

/** dGELU/dx of the tanh form 0.5 x (1 + tanh(c (x + 0.044715 x^3))). */
function geluTanhGrad(x: Tensor): Tensor {
  const x2 = mul(x, x);
  const t = tanh(affine(add(x, affine(mul(x2, x), 0.044715)), GELU_C));
  const du = affine(affine(x2, 3 * 0.044715, 1), GELU_C);
  return add(affine(t, 0.5, 0.5), mul(affine(x, 0.5), mul(affine(mul(t, t), -1, 1), du)));
}

function activate(z: Tensor, activation: Attrs['linear']['activation']): Tensor {
  if (activation === 'relu') return relu(z);
  if (activation === 'gelu') return gelu(z);
  if (activation === 'geluTanh') return gelu(z, { approximate: 'tanh' });
  return z;
}

/** Scaled dot-product attention by matmuls, for [B, H, T, D] (causal: keys after the query masked). */
function composedAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor {
  const T = q.shape[q.ndim - 2];
  const D = q.shape[q.ndim - 1];
  let scores = affine(matmul(q, transpose(k)), 1 / Math.sqrt(D));
  if (causal) {
    const big = fromHost(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T], 'f32');
    scores = add(scores, big);
  }
  return matmul(apply('softmax', [scores], { axis: scores.ndim - 1 }), v);
}

/** conv2d as a sum over the kernel taps of shifted input windows times the tap's weights (matmuls), per
 * group; stride 1 only (a strided window is a slice with a step, which has no recorded rule yet). */
function composedConv(x: Tensor, w: Tensor, b: Tensor | null, { stride, padding, dilation, groups }: Attrs['conv2d']): Tensor {
  if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`conv2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}]: only stride 1 has one yet`);
  const [, , H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const [ph, pw] = padding;
  const [dh, dw] = dilation;
  const xp = ph || pw ? apply('pad', [x], { before: [0, 0, ph, pw], after: [0, 0, ph, pw], value: 0 }) : x;
  const OH = H + 2 * ph - dh * (KH - 1);
  const OW = W + 2 * pw - dw * (KW - 1);
  const Og = O / groups;
  const parts: Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = groups > 1 ? narrow(xp, 1, g * Cg, Cg) : xp;
    const wg = groups > 1 ? narrow(w, 0, g * Og, Og) : w;
    let acc: Tensor | null = null;
    for (let kh = 0; kh < KH; kh++)
      for (let kw = 0; kw < KW; kw++) {
        const window = permute(narrow(narrow(xg, 2, kh * dh, OH), 3, kw * dw, OW), [0, 2, 3, 1]); // [N, OH, OW, Cg]
        const tap = transpose(reshape(narrow(narrow(wg, 2, kh, 1), 3, kw, 1), [Og, Cg])); // [Cg, Og]
        const term = matmul(window, tap);
        acc = acc ? add(acc, term) : term;
      }
    parts.push(acc!);
  }
  const y = permute(groups > 1 ? cat(parts, 3) : parts[0], [0, 3, 1, 2]);
  return b ? add(y, reshape(b, [1, O, 1, 1])) : y;
}

/** Pooling over non-overlapping kh x kw windows (floor mode: the remainder rows and columns dropped), by a
 * reshape: [.., H, W] -> [.., OH, kh, OW, kw], then the mean over the window axes, or their max. */
function windowReduce(x: Tensor, kh: number, kw: number, who: string, how: 'mean' | 'max'): Tensor {
  const lead = x.shape.slice(0, -2);
  const [H, W] = x.shape.slice(-2);
  const [OH, OW] = [Math.floor(H / kh), Math.floor(W / kw)];
  if (!OH || !OW) throw new Error(`${who}: cannot record its backward (createGraph): windows larger than the input`);
  let t = x;
  if (OH * kh !== H) t = narrow(t, -2, 0, OH * kh);
  if (OW * kw !== W) t = narrow(t, -1, 0, OW * kw);
  const r = reshape(t, [...lead, OH, kh, OW, kw]);
  if (how === 'mean') return mean(r, [lead.length + 1, lead.length + 3]);
  // each window's values along one last axis, row-major as the kernel scans them, then their max
  const n = lead.length;
  const windows = reshape(permute(r, [...lead.map((_, i) => i), n, n + 2, n + 1, n + 3]), [...lead, OH, OW, kh * kw]);
  return apply('max', [windows], { axis: n + 2, keepdim: false });
}

/** The one-hot of i32 indices `idx` over R classes along a new last axis (a constant). */
const oneHot = (idx: Tensor, R: number) => mask(eq(reshape(idx, [...idx.shape, 1]), reshape(arange(0, R, 1, { dtype: 'i32' }), [...idx.shape.map(() => 1), R])));

/** max/min backward: g at the arg max (arg [outer * inner], as the kernel saved it) and 0 elsewhere. */
function extremumRule(g: Tensor, arg: Tensor, axis: number | null, x: Tensor): Tensor {
  if (axis === null) return reshape(mul(oneHot(reshape(arg, [1]), x.size), reshape(g, [1, 1])), x.shape);
  const keep = x.shape.map((d, i) => (i === axis ? 1 : d));
  const hot = oneHot(reshape(arg, keep), x.shape[axis]); // [..., 1 (axis), ..., R]
  // the class axis takes the place of the kept 1 at `axis` (which goes last, then away)
  const moved = permute(hot, [...x.shape.map((_, i) => (i === axis ? x.ndim : i)), axis]);
  return mul(reshape(moved, x.shape), reshape(g, keep));
}

const notYet = (what: string) => ({ none: `${what} has no backward in differentiable ops yet` });

export const higherOrder: { [P in Primitive]: HigherOrder<Attrs[P]> } = {
  neg: unary((_x, _y, g) => neg(g)),
  exp: unary((_x, y, g) => mul(g, y)),
  log: unary((x, _y, g) => div(g, x)),
  sqrt: unary((_x, y, g) => div(affine(g, 0.5), y)),
  tanh: unary((_x, y, g) => mul(g, affine(mul(y, y), -1, 1))),
  relu: unary((x, _y, g) => mul(g, mask(gt(x, 0)))),
  // sigmoid(x) sigmoid(-x), not y (1 - y): 1 - y is 0 in f32 from x ~ 17 on, where the derivative is e^-x
  sigmoid: unary((x, y, g) => mul(g, mul(y, sigmoid(neg(x))))),
  gelu: unary((x, _y, g, { approximate }) => mul(g, approximate === 'tanh' ? geluTanhGrad(x) : geluErfGrad(x))),
  abs: unary((x, _y, g) => mul(g, sign(x))),
  sign: unary((_x, _y, g) => affine(g, 0)),
  clamp: unary((x, _y, g, { min, max }) => mul(g, mask(logicalAnd(ge(x, min), le(x, max))))),
  erf: unary((x, _y, g) => mul(g, affine(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))),
  silu: unary((x, _y, g) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, affine(s, -1, 1)), 1)));
  }),
  softplus: unary((x, _y, g, { beta, threshold }) => {
    const above = mask(gt(affine(x, beta), threshold));
    return mul(g, add(above, mul(affine(above, -1, 1), sigmoid(affine(x, beta)))));
  }),
  leakyRelu: unary((x, _y, g, { slope }) => mul(g, affine(mask(gt(x, 0)), 1 - slope, slope))),
  powScalar: unary((x, _y, g, { p }) => (p === 0 ? affine(g, 0) : mul(g, affine(pow(x, p - 1), p)))),
  affine: unary((_x, _y, g, { a }) => affine(g, a)),
  add: { ops: true },
  sub: { ops: true },
  mul: { ops: true },
  div: { ops: true },
  minimum: { ops: true }, // the mask of which input wins is a constant
  maximum: { ops: true },
  sum: { ops: true },
  max: { backward: (g, [arg], { axis }, [x]) => [extremumRule(g, arg, axis, x)] },
  min: { backward: (g, [arg], { axis }, [x]) => [extremumRule(g, arg, axis, x)] },
  argmax: { none: 'argmax has an integer output: no gradient' },
  argmin: { none: 'argmin has an integer output: no gradient' },
  topkIndices: { none: 'topk indices are integers: no gradient' },
  // the suffix sum of g from s: the same op summing the other way
  cumsum: { backward: (g, _s, a) => [apply('cumsum', [g], { ...a, reverse: !a.reverse })] },
  sumTo: { ops: true },
  reshape: { ops: true },
  permute: { ops: true },
  expand: { ops: true },
  matmul: { ops: true },
  linear: recompute((xs, { activation }) => activate(xs[2] ? add(matmul(xs[0], transpose(xs[1])), xs[2]) : matmul(xs[0], transpose(xs[1])), activation)),
  softmax: { backward: (g, [y], { axis }) => [mul(y, sub(g, sum(mul(g, y), axis, true)))] },
  logSoftmax: { backward: (g, [y], { axis }) => [sub(g, mul(exp(y), sum(g, axis, true)))] },
  embedding: {
    // dW = onehot(idx)^T g: a [n, V] constant one-hot times the gradient rows (V x n of memory)
    backward: (g, [idx], _a, [w]) => {
      const [V, D] = w.shape;
      const hot = mask(eq(reshape(arange(0, V, 1, { dtype: 'i32' }), [1, V]), reshape(idx, [-1, 1])));
      return [matmul(transpose(hot), reshape(g, [-1, D])), null];
    },
  },
  pick: {
    // x [N, C], idx [N]: the gradient is g placed at each row's index (a one-hot constant times g).
    backward: (g, [idx], _a, [x]) => {
      const C = x.shape[1];
      const hot = mask(eq(reshape(arange(0, C, 1, { dtype: 'i32' }), [1, C]), reshape(idx, [-1, 1])));
      return [mul(hot, reshape(g, [-1, 1])), null];
    },
  },
  cast: { ops: true },
  eq: { none: 'comparisons have boolean outputs: no gradient' },
  ne: { none: 'comparisons have boolean outputs: no gradient' },
  lt: { none: 'comparisons have boolean outputs: no gradient' },
  le: { none: 'comparisons have boolean outputs: no gradient' },
  gt: { none: 'comparisons have boolean outputs: no gradient' },
  ge: { none: 'comparisons have boolean outputs: no gradient' },
  logicalAnd: { none: 'logical ops have boolean outputs: no gradient' },
  logicalOr: { none: 'logical ops have boolean outputs: no gradient' },
  logicalNot: { none: 'logical ops have boolean outputs: no gradient' },
  where: {
    backward: (g, [cond], _a, [, a, b]) => {
      const zero = zeros([]);
      return [null, a.requiresGrad ? sumTo(where(cond, g, zero), a.shape) : null, b.requiresGrad ? sumTo(where(cond, zero, g), b.shape) : null];
    },
  },
  indexSelect: {
    // rows index[j] of x along axis get row j of g: a one-hot [k, R] transposed times g with axis first
    backward: (g, [index], { axis }, [x]) => {
      const R = x.shape[axis];
      const first = [axis, ...x.shape.map((_, i) => i).filter((i) => i !== axis)];
      const gFirst = permute(g, first);
      const rows = matmul(transpose(oneHot(index, R)), reshape(gFirst, [index.size, -1]));
      const back = first.map((_, i) => first.indexOf(i));
      return [permute(reshape(rows, [R, ...gFirst.shape.slice(1)]), back), null];
    },
  },
  // the scatter-add of g into zeros at the same indices (scatterAdd's own rule is in ops)
  gather: { backward: (g, [index], { axis }, [x]) => [apply('scatterAdd', [zeros(x.shape), index, g], { axis }), null] },
  scatterAdd: { ops: true }, // g for x, and for src the gather of g (padded with zeros), in ops
  slice: {
    backward: (g, _s, { axis, start, step, length }, [x]) => {
      if (step !== 1) throw new Error(`slice: cannot record its backward (createGraph) for a step of ${step}: only contiguous slices (step 1) have one yet`);
      const before = x.shape.map((_, i) => (i === axis ? start : 0));
      const after = x.shape.map((d, i) => (i === axis ? d - start - length : 0));
      return [apply('pad', [g], { before, after, value: 0 })];
    },
  },
  cat: { backward: (g, _s, { axis }, xs) => {
    let at = 0;
    return xs.map((t) => {
      const part = narrow(g, axis, at, t.shape[axis]);
      at += t.shape[axis];
      return part;
    });
  } },
  pad: {
    // crop what was added (narrow), then add back with zeros what was cropped
    backward: (g, _s, { before, after }, [x]) => {
      let t = g;
      before.forEach((b, i) => {
        const from = Math.max(0, b);
        const len = t.shape[i] - from - Math.max(0, after[i]);
        if (from || len !== t.shape[i]) t = narrow(t, i, from, len);
      });
      if (before.some((b) => b < 0) || after.some((a) => a < 0)) t = apply('pad', [t], { before: before.map((b) => Math.max(0, -b)), after: after.map((a) => Math.max(0, -a)), value: 0 });
      if (t === g) t = reshape(g, x.shape);
      return [t];
    },
  },
  triangle: { backward: (g, _s, attrs) => [apply('triangle', [g], attrs)] },
  dropout: { ops: true }, // g times the saved mask, a constant
  multinomial: { none: 'sampling has integer outputs: no gradient' },
  custom: { none: "a defineOp op's backward is its own kernel, which has no derivative" },
  conv2d: recompute(([x, w, b], attrs) => composedConv(x, w, b ?? null, attrs)),
  maxPool2d: recompute(([x], { kernel, stride, padding, dilation, ceilMode }) => {
    if (dilation[0] !== 1 || dilation[1] !== 1) throw new Error(`maxPool2d: cannot record its backward (createGraph) for dilation [${dilation.join(', ')}]: only dilation 1 has one yet`);
    if (ceilMode && x.shape.slice(-2).some((d, i) => d % kernel[i])) throw new Error(`maxPool2d: cannot record its backward (createGraph) in ceil mode with a window over the end (input ${JSON.stringify(x.shape)}, kernel [${kernel.join(', ')}])`);
    if (stride[0] !== kernel[0] || stride[1] !== kernel[1] || padding[0] || padding[1]) throw new Error(`maxPool2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}] with kernel [${kernel.join(', ')}] and padding [${padding.join(', ')}]: only non-overlapping windows without padding have one yet`);
    return windowReduce(x, kernel[0], kernel[1], 'maxPool2d', 'max');
  }),
  avgPool2d: recompute(([x], { kernel, stride, padding, ceilMode }) => {
    if (ceilMode && x.shape.slice(-2).some((d, i) => d % kernel[i])) throw new Error(`avgPool2d: cannot record its backward (createGraph) in ceil mode with a window over the end (input ${JSON.stringify(x.shape)}, kernel [${kernel.join(', ')}])`);
    if (stride[0] !== kernel[0] || stride[1] !== kernel[1] || padding[0] || padding[1]) throw new Error(`avgPool2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}] with kernel [${kernel.join(', ')}] and padding [${padding.join(', ')}]: only non-overlapping windows without padding have one yet`);
    return windowReduce(x, kernel[0], kernel[1], 'avgPool2d', 'mean');
  }),
  adaptiveAvgPool2d: recompute(([x], { output: [oh, ow] }) => {
    const [H, W] = x.shape.slice(-2);
    if (H % oh || W % ow) throw new Error(`adaptiveAvgPool2d: cannot record its backward (createGraph) for an output [${oh}, ${ow}] that does not divide the input [${H}, ${W}]: only equal windows have one yet`);
    return windowReduce(x, H / oh, W / ow, 'adaptiveAvgPool2d', 'mean');
  }),
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
  layerNorm: recompute(([x, w, b], { eps }) => {
    const axis = x.ndim - 1;
    const mu = mean(x, axis, true);
    const c = sub(x, mu);
    const inv = pow(add(mean(mul(c, c), axis, true), eps), -0.5);
    return add(mul(mul(c, inv), w), b);
  }),
  attention: recompute(([q, k, v], { causal }) => composedAttention(q, k, v, causal)),
  crossEntropy: recompute(([z, y], { reduction, ignoreIndex, labelSmoothing }) => crossEntropy(z, y, { reduction, ignoreIndex, labelSmoothing, fused: false })),
  focalLoss: recompute(([z, y], { reduction, alpha, gamma, ignoreIndex }) => focalLoss(z, y, { reduction, alpha, gamma, ignoreIndex, fused: false })),
  rootedLoss: recompute(([z, y], { reduction, k, m, ignoreIndex }) => rootedLoss(z, y, { reduction, k, m, ignoreIndex, fused: false })),
  rootedLogisticLoss: recompute(([z, y], { reduction, k }) => rootedLogisticLoss(z, y, { reduction, k, fused: false })),
  binaryCrossEntropy: recompute(([z, y], { reduction }) => binaryCrossEntropy(z, y, { reduction, fused: false })),
  // through the loss's own composition (defineRowLoss's `compose`, in ops) on the logits
  rowLoss: recompute(([z, y], a) => rowLossOn('rowLoss', a.loss, z, y, { reduction: a.reduction, ignoreIndex: a.ignoreIndex, fused: false }, a.scalars, 0)),
  linearLoss: recompute(([h, w, y, b], a) => {
    const z = b ? add(matmul(h, transpose(w)), b) : matmul(h, transpose(w));
    return rowLossOn('linearLoss', a.loss, z, y, { reduction: a.reduction, ignoreIndex: a.ignoreIndex, fused: false }, a.scalars, a.labelSmoothing);
  }),
  scatter: { ops: true }, // scatter of zeros into g for x, the gather of g for src
  gatherNd: { ops: true }, // a scatterNd-add of g into zeros
  scatterNd: { ops: true }, // g, a scatterNd of zeros into g, or g times the scattered product; gatherNd of g
  sin: unary((x, _y, g) => mul(g, cos(x))),
  cos: unary((x, _y, g) => neg(mul(g, sin(x)))),
  tan: unary((_x, y, g) => mul(g, affine(mul(y, y), 1, 1))),
  asin: unary((x, _y, g) => div(g, sqrt(mul(affine(x, -1, 1), affine(x, 1, 1))))),
  acos: unary((x, _y, g) => neg(div(g, sqrt(mul(affine(x, -1, 1), affine(x, 1, 1)))))),
  atan: unary((x, _y, g) => div(g, affine(mul(x, x), 1, 1))),
  sinh: unary((x, _y, g) => mul(g, cosh(x))),
  cosh: unary((x, _y, g) => mul(g, sinh(x))),
  asinh: unary((x, _y, g) => div(g, sqrt(affine(mul(x, x), 1, 1)))),
  acosh: unary((x, _y, g) => div(g, sqrt(mul(affine(x, 1, -1), affine(x, 1, 1))))),
  atanh: unary((x, _y, g) => div(g, mul(affine(x, -1, 1), affine(x, 1, 1)))),
  hardsigmoid: unary((_x, y, g, { alpha }) => mul(g, affine(mask(logicalAnd(gt(y, 0), lt(y, 1))), alpha))),
  hardswish: unary((x, _y, g) => mul(g, add(mask(gt(x, 3)), mul(mask(logicalAnd(ge(x, -3), le(x, 3))), affine(x, 1 / 3, 0.5))))),
  elu: unary((x, y, g, { alpha, scale, inputScale }) => {
    const above = mask(gt(x, 0));
    return mul(g, add(affine(above, scale), mul(affine(above, -1, 1), affine(y, inputScale, inputScale * scale * alpha))));
  }),
  softsign: unary((x, _y, g) => div(g, pow(affine(abs(x), 1, 1), 2))),
  mish: unary((x, _y, g) => {
    const t = tanh(softplus(x));
    return mul(g, add(t, mul(mul(x, sigmoid(x)), affine(mul(t, t), -1, 1))));
  }),
  logSigmoid: unary((x, _y, g) => mul(g, sigmoid(neg(x)))),
  resize: { ops: true }, // the adjoint resize of g (linear: its own backward is the forward again)
  convTranspose2d: { backward: convTransposeGraphRule },
  maxPool2dIndices: { none: 'pooling indices are integers: no gradient' },
  shrink: unary((x, _y, g, { lambd }) => mul(g, mask(logicalOr(gt(x, lambd), lt(x, -lambd))))),
  threshold: unary((x, _y, g, { threshold }) => mul(g, mask(gt(x, threshold)))), // conv2d of g; the weight's by a conv2d correlation
};

/** The rule apply() runs for op P's node when the backward pass records a graph. */
export function graphRule<P extends Primitive>(op: P, name: string, backward: Rule<Attrs[P]>): Rule<Attrs[P]> {
  const h = higherOrder[op] as HigherOrder<Attrs[P]>;
  if ('none' in h) return () => {
    throw new Error(`${name}: cannot record its backward (createGraph): ${h.none}`);
  };
  return 'ops' in h ? backward : h.backward;
}

/** Whether op P's forward keeps its inputs for a recomputing rule. */
export function savesInputs(op: Primitive): number {
  const h = higherOrder[op] as HigherOrder<unknown>;
  return 'savesInputs' in h ? (h.savesInputs ?? 0) : 0;
}
