// Elementwise ONNX ops: activations, arithmetic, comparisons, logic, Where, Clip, Cast. Host values
// (shape arithmetic) compute on the host; device tensors through rootgrad's ops. rootgrad's arithmetic is
// f32, so integer tensors on the device go through f32 and back (exact below 2^24).
import {
  Tensor, abs, add, cast, clamp, div, eq, erf, exp, ge, gt, le, leakyRelu, log, logicalAnd, logicalNot, logicalOr, lt,
  maximum, minimum, mul, neg, pow, relu, gelu, sigmoid, sign, softplus, sqrt, sub, tanh, where, affine, ne, full, reshape, type DType,
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, tensor,
} from '../../core.js';
import { HostVal, dtypeOf, typeName } from '../read.js';
import { def } from './registry.js';
import { attr, fail, hostMap, isHost } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

const f32 = (x: number) => Math.fround(x);

/** A device tensor as f32 (integers and bools converted). */
const asF32 = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));
const back = (t: Tensor, dtype: DType) => (dtype === 'f32' ? t : cast(t, dtype));

/** A unary op: host function and device function (on f32). */
function unary(name: string, hostFn: ((x: number) => number) | null, dev: (x: Tensor, n: OnnxNode) => Tensor, since: number[] = [1]) {
  const run = (c: OpCtx, [x]: (Val | undefined)[], n: OnnxNode) => {
    if (isHost(x) && hostFn) return hostMap(n, x.dtype, [x], x.dtype === 'f32' ? (v) => f32(hostFn(v)) : hostFn);
    const t = c.t(x);
    return back(dev(asF32(t), n), t.dtype);
  };
  def(name, Object.fromEntries(since.map((v) => [v, run])));
}

unary('Relu', (x) => Math.max(x, 0), relu);
unary('Tanh', Math.tanh, tanh);
unary('Sigmoid', (x) => 1 / (1 + Math.exp(-x)), sigmoid);
unary('Exp', Math.exp, exp);
unary('Log', Math.log, log);
unary('Sqrt', Math.sqrt, sqrt);
unary('Neg', (x) => -x, neg);
unary('Abs', Math.abs, abs);
unary('Sign', Math.sign, sign);
unary('Erf', erfHost, erf, [9]);
unary('Reciprocal', (x) => 1 / x, (x) => div(full([], 1), x));
unary('Softplus', (x) => Math.log1p(Math.exp(x)), (x) => softplus(x, 1, 3.4e38));
unary('Softsign', (x) => x / (1 + Math.abs(x)), (x) => div(x, affine(abs(x), 1, 1)));
unary('LeakyRelu', null, (x, n) => leakyRelu(x, attr(n, 'alpha', 0.01)), [6]);
unary('Elu', null, (x, n) => {
  const a = attr<number>(n, 'alpha', 1);
  return where(gt(x, 0), x, affine(exp(minimum(x, full([], 0))), a, -a));
}, [6]);
unary('Selu', null, (x, n) => {
  const a = attr<number>(n, 'alpha', 1.67326319217681884765625);
  const g = attr<number>(n, 'gamma', 1.05070102214813232421875);
  return where(gt(x, 0), affine(x, g), affine(exp(minimum(x, full([], 0))), a * g, -a * g));
}, [6]);
unary('Celu', null, (x, n) => {
  const a = attr<number>(n, 'alpha', 1);
  return add(relu(x), minimum(full([], 0), affine(exp(affine(minimum(x, full([], 0)), 1 / a)), a, -a)));
}, [12]);
unary('ThresholdedRelu', null, (x, n) => where(gt(x, attr(n, 'alpha', 1)), x, full([], 0)), [10]);
unary('HardSigmoid', null, (x, n) => clamp(affine(x, attr(n, 'alpha', 0.2), attr(n, 'beta', 0.5)), 0, 1), [6]);
unary('HardSwish', null, (x) => mul(x, clamp(affine(x, 1 / 6, 0.5), 0, 1)), [14]);
unary('Gelu', null, (x, n) => gelu(x, { approximate: attr(n, 'approximate', 'none') === 'tanh' ? 'tanh' : 'none' }), [20]);
unary('Mish', null, (x) => mul(x, tanh(softplus(x, 1, 3.4e38))), [18]);
// Trigonometric and hyperbolic functions and their inverses: rootgrad's unary ops.
unary('Sin', Math.sin, sin, [7]);
unary('Cos', Math.cos, cos, [7]);
unary('Tan', Math.tan, tan, [7]);
unary('Asin', Math.asin, asin, [7]);
unary('Acos', Math.acos, acos, [7]);
unary('Atan', Math.atan, atan, [7]);
unary('Sinh', Math.sinh, sinh, [9]);
unary('Cosh', Math.cosh, cosh, [9]);
unary('Asinh', Math.asinh, asinh, [9]);
unary('Acosh', Math.acosh, acosh, [9]);
unary('Atanh', Math.atanh, atanh, [9]);
// Identity: host values and sequences as they are; a device tensor as a new view of it (so that an output
// is never a parameter itself, which disposing the output would free).
def('Identity', { 1: (c, [x]) => (x instanceof Tensor ? reshape(x, x.shape) : x!) });

function erfHost(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for 1e-5; use the series / continued fraction split.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t, term = t;
    for (let k = 1; k < 60; k++) {
      term *= (-t * t) / k;
      sum += term / (2 * k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let cf = 0;
  for (let k = 60; k >= 1; k--) cf = k / 2 / (t + cf);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + cf));
}

/** The dtype two inputs compute in (ONNX requires them to match). */
function binaryDtype(n: OnnxNode, a: Val, b: Val): DType {
  if (a.dtype !== b.dtype) fail(n, `inputs have different types (${a.dtype} and ${b.dtype})`);
  return a.dtype;
}

function binary(name: string, hostFn: (a: number, b: number) => number, dev: (a: Tensor, b: Tensor) => Tensor, intFix?: (t: Tensor) => Tensor) {
  def(name, {
    1: (c, [a, b], n) => {
      const dtype = binaryDtype(n, a!, b!);
      if (isHost(a) && isHost(b)) {
        const f = dtype === 'f32' ? (x: number, y: number) => f32(hostFn(x, y)) : dtype === 'i32' ? (x: number, y: number) => Math.trunc(hostFn(x, y)) : hostFn;
        return hostMap(n, dtype, [a, b], f);
      }
      const r = dev(asF32(c.t(a, 'A')), asF32(c.t(b, 'B')));
      return dtype === 'f32' ? r : back(intFix ? intFix(r) : r, dtype);
    },
  });
}

binary('Add', (a, b) => a + b, add);
binary('Sub', (a, b) => a - b, sub);
binary('Mul', (a, b) => a * b, mul);
binary('Div', (a, b) => a / b, div);

// Pow: an exponent known on the host and the same everywhere maps to rootgrad's pow; otherwise
// |x|^y through exp and log, with the sign of x for odd integer exponents.
def('Pow', {
  1: {
    run: (c, [x, y], n) => {
      if (isHost(x) && isHost(y)) return hostMap(n, x.dtype, [x, y], (a, b) => (x.dtype === 'f32' ? f32(a ** b) : Math.trunc(a ** b)));
      const t = c.t(x, 'X');
      const xf = asF32(t);
      if (isHost(y) && y.size === 1 && y.shape.length <= t.ndim) {
        const p = y.data[0];
        const r = p === 1 ? affine(xf, 1) : p === 0 ? affine(xf, 0, 1) : p === 0.5 ? sqrt(xf) : pow(xf, p);
        return back(r, t.dtype);
      }
      const yf = asF32(c.t(y, 'Y'));
      const mag = exp(mul(yf, log(abs(xf))));
      // a negative base: -|x|^y for odd integer exponents (trunc(y / 2) through an i32 cast)
      const half = cast(cast(affine(yf, 0.5), 'i32'), 'f32');
      const odd = cast(eq(abs(sub(yf, affine(half, 2))), full([], 1)), 'f32');
      return back(where(lt(xf, 0), mul(mag, affine(odd, -2, 1)), mag), t.dtype);
    },
  },
});

function compare(name: string, hostFn: (a: number, b: number) => boolean, dev: (a: Tensor, b: Tensor) => Tensor) {
  def(name, {
    1: (c, [a, b], n) => {
      binaryDtype(n, a!, b!);
      if (isHost(a) && isHost(b)) return hostMap(n, 'bool', [a, b], (x, y) => (hostFn(x, y) ? 1 : 0));
      const [ta, tb] = [c.t(a, 'A'), c.t(b, 'B')];
      return ta.dtype === 'bool' ? dev(cast(ta, 'i32'), cast(tb, 'i32')) : dev(ta, tb);
    },
  });
}
compare('Equal', (a, b) => a === b, eq);
compare('Less', (a, b) => a < b, lt);
compare('Greater', (a, b) => a > b, gt);
compare('LessOrEqual', (a, b) => a <= b, le);
compare('GreaterOrEqual', (a, b) => a >= b, ge);

function logic(name: string, hostFn: (a: number, b: number) => number, dev: (a: Tensor, b: Tensor) => Tensor) {
  def(name, {
    1: (c, [a, b], n) => (isHost(a) && isHost(b) ? hostMap(n, 'bool', [a, b], hostFn) : dev(c.t(a, 'A'), c.t(b, 'B'))),
  });
}
logic('And', (a, b) => (a && b ? 1 : 0), logicalAnd);
logic('Or', (a, b) => (a || b ? 1 : 0), logicalOr);
logic('Xor', (a, b) => (!a !== !b ? 1 : 0), (a, b) => ne(a, b));
def('Not', { 1: (c, [x], n) => (isHost(x) ? hostMap(n, 'bool', [x], (v) => (v ? 0 : 1)) : logicalNot(c.t(x))) });

// IsNaN and IsInf: WGSL math never makes NaN or infinity here (SwiftShader), but a feed can hold them. NaN is
// found by its bits (rootgrad's ne compares f32 NaN by is_nan: x != x is true for NaN only); infinity as
// beyond the largest finite f32 (a tensor operand: a number operand is clamped to the +-3.4e38 sentinels).
// Constants (float initializers included: input 0 is a host slot) compute on the host, where infinities
// are exact (uploads clamp them to the sentinels).
const F32_MAX = 3.4028234663852886e38;
def('IsNaN', {
  9: {
    host: [0],
    run: (c, [x], n) => (isHost(x) ? hostMap(n, 'bool', [x], (v) => (Number.isNaN(v) ? 1 : 0)) : nanMask(c.t(x, 'X'))),
  },
});
function nanMask(t: Tensor): Tensor {
  return t.dtype === 'f32' ? ne(t, t) : full(t.shape, 0, { dtype: 'bool' });
}
def('IsInf', {
  10: {
    host: [0],
    run: (c, [x], n) => {
      const pos = attr(n, 'detect_positive', 1) !== 0;
      const neg = attr(n, 'detect_negative', 1) !== 0;
      if (isHost(x)) return hostMap(n, 'bool', [x], (v) => ((pos && v === Infinity) || (neg && v === -Infinity) ? 1 : 0));
      const t = c.t(x, 'X');
      if (t.dtype !== 'f32' || (!pos && !neg)) return full(t.shape, 0, { dtype: 'bool' });
      const above = pos ? gt(t, tensor(Float32Array.of(F32_MAX), [])) : null;
      const below = neg ? lt(t, tensor(Float32Array.of(-F32_MAX), [])) : null;
      return above && below ? logicalOr(above, below) : (above ?? below)!;
    },
  },
});

def('Where', {
  9: (c, [cond, a, b], n) => {
    if (isHost(cond) && isHost(a) && isHost(b)) return hostMap(n, a.dtype, [cond, a, b], (k, x, y) => (k ? x : y));
    const dtype = binaryDtype(n, a!, b!);
    const r = where(c.t(cond, 'condition'), c.t(a, 'X'), c.t(b, 'Y'));
    return r.dtype === dtype ? r : back(r, dtype);
  },
});

/** Min/Max/Sum/Mean over any number of inputs, with broadcasting. */
function variadic(name: string, hostFn: (a: number, b: number) => number, dev: (a: Tensor, b: Tensor) => Tensor, mean = false) {
  def(name, {
    1: (c, xs, n) => {
      const vals = xs.filter((v): v is Val => v !== undefined);
      if (!vals.length) fail(n, 'needs at least one input');
      const dtype = vals[0].dtype;
      if (vals.every(isHost)) {
        let acc = vals[0] as HostVal;
        for (const v of vals.slice(1)) acc = hostMap(n, dtype, [acc, v as HostVal], dtype === 'f32' ? (a, b) => f32(hostFn(a, b)) : hostFn);
        return mean ? hostMap(n, dtype, [acc], (v) => f32(v / vals.length)) : acc;
      }
      let acc = asF32(c.t(vals[0]));
      if (vals.length === 1) acc = affine(acc, 1); // a fresh tensor, not the input itself
      for (const v of vals.slice(1)) acc = dev(acc, asF32(c.t(v)));
      if (mean) acc = affine(acc, 1 / vals.length);
      return back(acc, dtype);
    },
  });
}
variadic('Max', Math.max, maximum);
variadic('Min', Math.min, minimum);
variadic('Sum', (a, b) => a + b, add);
variadic('Mean', (a, b) => a + b, add, true);

// Clip: bounds as attributes before opset 11, as optional inputs (host-known) from 11.
def('Clip', {
  6: (c, [x], n) => clip(c, n, x!, attr(n, 'min', -3.4e38), attr(n, 'max', 3.4e38)),
  11: {
    host: [1, 2],
    run: (c, [x, lo, hi], n) => clip(c, n, x!, lo === undefined ? -3.4e38 : c.host(lo, 'min').data[0], hi === undefined ? 3.4e38 : c.host(hi, 'max').data[0]),
  },
});
function clip(c: OpCtx, n: OnnxNode, x: Val, lo: number, hi: number): Val {
  if (isHost(x)) return hostMap(n, x.dtype, [x], (v) => Math.min(Math.max(v, lo), hi));
  const t = c.t(x);
  if (lo > hi) return back(affine(asF32(t), 0, hi), t.dtype); // ONNX (like numpy) gives max when min > max
  return back(clamp(asF32(t), Math.max(lo, -3.4e38), Math.min(hi, 3.4e38)), t.dtype);
}

// Cast: to float types as f32, to integer types as i32 (truncating), to bool; other targets are refused.
function castTo(c: OpCtx, n: OnnxNode, x: Val, to: number): Val {
  const dtype = dtypeOf(to);
  if (!dtype) fail(n, `cast to ${typeName(to)} is not supported`);
  if (isHost(x)) {
    const conv = dtype === 'bool' ? (v: number) => (v ? 1 : 0) : dtype === 'i32' ? Math.trunc : f32;
    return hostMap(n, dtype, [x], to === 2 ? (v) => ((Math.trunc(v) % 256) + 256) % 256 : conv);
  }
  const t = c.t(x);
  return t.dtype === dtype ? affineCopy(t) : cast(t, dtype);
}
/** A cast to the same dtype still gives a new tensor for f32 (so that the output is not the input). */
const affineCopy = (t: Tensor) => (t.dtype === 'f32' ? affine(t, 1) : cast(cast(t, 'f32'), t.dtype));
def('Cast', { 6: (c, [x], n) => castTo(c, n, x!, attr(n, 'to', 1)) });
def('CastLike', { 15: (c, [x, like], n) => castTo(c, n, x!, like!.dtype === 'f32' ? 1 : like!.dtype === 'bool' ? 9 : 7) });

// Floor, Ceil and Round through an i32 cast (trunc), exact for |x| < 2^31; larger floats are integers
// already (|x| >= 2^23 has no fraction in f32). Their gradient is zero, as PyTorch's.
const BIG = 8388608;
function truncF(x: Tensor): Tensor {
  return cast(cast(x, 'i32'), 'f32');
}
function floorF(x: Tensor): Tensor {
  const t = truncF(where(gt(abs(x), BIG), full([], 0), x));
  return where(gt(abs(x), BIG), x, sub(t, cast(gt(t, x), 'f32')));
}
function ceilF(x: Tensor): Tensor {
  const t = truncF(where(gt(abs(x), BIG), full([], 0), x));
  return where(gt(abs(x), BIG), x, add(t, cast(lt(t, x), 'f32')));
}
/** Round half to even. */
function roundF(x: Tensor): Tensor {
  const f = floorF(affine(x, 1, 0.5));
  const tie = eq(sub(f, x), full([], 0.5));
  const odd = ne(sub(f, affine(floorF(affine(f, 0.5)), 2)), full([], 0));
  return where(logicalAnd(tie, odd), affine(f, 1, -1), f);
}
const roundHalfEven = (v: number) => {
  const f = Math.floor(v + 0.5);
  return f - v === 0.5 && f % 2 !== 0 ? f - 1 : f;
};
unary('Floor', Math.floor, floorF, [6]);
unary('Ceil', Math.ceil, ceilF, [6]);
unary('Round', roundHalfEven, roundF, [11]);

// Mod: fmod=0 takes the divisor's sign (Python's %), fmod=1 the dividend's (C's fmod).
def('Mod', {
  10: (c, [a, b], n) => {
    const fmod = attr(n, 'fmod', 0) === 1;
    const dtype = binaryDtype(n, a!, b!);
    if (isHost(a) && isHost(b)) return hostMap(n, dtype, [a, b], (x, y) => (fmod ? x % y : ((x % y) + y) % y));
    const [x, y] = [asF32(c.t(a, 'A')), asF32(c.t(b, 'B'))];
    const q = div(x, y);
    const whole = fmod ? truncF(q) : floorF(q);
    let r = sub(x, mul(y, whole));
    if (dtype === 'i32') r = cast(roundF(r), 'i32');
    return r;
  },
});

def('Shrink', {
  9: (c, [x], n) => {
    const l = attr<number>(n, 'lambd', 0.5);
    const b = attr<number>(n, 'bias', 0);
    const t = c.t(x);
    const xf = asF32(t);
    return back(where(lt(xf, -l), affine(xf, 1, b), where(gt(xf, l), affine(xf, 1, -b), full([], 0))), t.dtype);
  },
});
