// Statistics composed of primitives (their gradients come from the primitives' rules): variance, std and
// logsumexp, with PyTorch's semantics.
import { noGrad, Tensor, tensorMethods } from '../tensor.js';
import { axisSize, shapeStr } from '../shape.js';
import { mul, sub, add } from './binary.js';
import { exp, log, sqrt, affine, clamp } from './unary.js';

/** The finite stand-in for -inf (common.wgsl's NEG_BIG). */
const NEG_BIG = Math.fround(-3.4e38);
import { max, mean, sum, type Axes } from './reduce.js';
import { reshape } from './movement.js';
import { normAxis } from '../shape.js';
import { checkOptions } from '../options.js';

/** The number of elements an axis list reduces (all when none). */
function countOf(x: Tensor, axis: Axes): number {
  if (axis === undefined || axis === null) return x.size;
  const list = typeof axis === 'number' ? [axis] : [...axis];
  return list.reduce((p, a) => p * axisSize(x.shape, normAxis('variance', a, x.ndim)), 1);
}

/** Variance over an axis, a list of axes or all, divided by N - correction (1: Bessel's, the default). */
export function variance(x: Tensor, axis?: Axes, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  checkOptions('variance', opts, ['correction', 'keepdim']);
  const { correction = 1, keepdim = false } = opts;
  if (typeof correction !== 'number' || !(correction >= 0)) throw new Error(`variance: correction must be a number >= 0, got ${correction}`);
  const n = countOf(x, axis);
  if (n - correction <= 0) throw new Error(`variance: ${n} element${n === 1 ? '' : 's'} with correction ${correction} leave no degrees of freedom (shape ${shapeStr(x.shape)})`);
  const m = mean(x, axis, true);
  const d = sub(x, m);
  const sq = mul(d, d);
  const s = sum(sq, axis, keepdim);
  const out = affine(s, 1 / (n - correction));
  for (const t of [m, d, sq, s]) t.dispose();
  return out;
}

/** Standard deviation: the square root of variance (same options). */
export function std(x: Tensor, axis?: Axes, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  checkOptions('std', opts, ['correction', 'keepdim']);
  const v = variance(x, axis, opts);
  const out = sqrt(v);
  v.dispose();
  return out;
}

/** log(sum(exp(x))) over an axis, stable for large values: the maximum is subtracted first (held out of
 * the graph: its gradient cancels), so the gradient is softmax(x). A row of -inf, or an empty axis, gives
 * the sentinel -3.4e38 (PyTorch: -inf; WGSL leaves log(0) and inf - inf to the implementation), never NaN;
 * a NaN gives NaN. */
export function logsumexp(x: Tensor, axis: number, keepdim = false): Tensor {
  const a = normAxis('logsumexp', axis, x.ndim);
  if (x.shape[a] === 0) {
    // The log of an empty sum: the sentinel, as for a row of -inf (the sum over the empty axis, 0, keeps x in
    // the graph: its gradient is empty).
    const s = sum(x, a, keepdim);
    const out = affine(s, 1, NEG_BIG);
    s.dispose();
    return out;
  }
  // the maximum, at least the sentinel: an all -inf row subtracts a finite number (exp(-inf) = 0, not NaN)
  const m = noGrad(() => {
    const mx = max(x, a, true);
    const out = clamp(mx, NEG_BIG);
    mx.dispose();
    return out;
  });
  const z = sub(x, m);
  const e = exp(z);
  const s = sum(e, a, true);
  const l = log(s);
  const u = add(l, m);
  const y = clamp(u, NEG_BIG); // log(0) + m: -inf or -88 + m by adapter; the sentinel either way
  for (const t of [m, z, e, s, l, u]) t.dispose();
  if (keepdim) return y;
  const out = reshape(y, x.shape.filter((_, d) => d !== a));
  y.dispose();
  return out;
}

// Tensor methods (a.variance(...) reads as variance(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    variance(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    std(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    logsumexp(axis: number, keepdim?: boolean): Tensor;
  }
}
tensorMethods({
  variance(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }) { return variance(this, axis, opts); },
  std(axis?: Axes, opts?: { correction?: number; keepdim?: boolean }) { return std(this, axis, opts); },
  logsumexp(axis: number, keepdim = false) { return logsumexp(this, axis, keepdim); },
});
