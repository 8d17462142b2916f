// Elementwise ops. Each is a WGSL expression for the forward (unary.wgsl), one for the derivative
// (unary_backward.wgsl, a single dispatch) and a float64 reference, side by side.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { mapF64 } from '../reference.js';
import { defineOps, type Attrs, type None, type OpDef, type Ops } from './def.js';
import { apply, checkDType, lanes, laneVariants, view } from './apply.js';
import { checkOptions } from '../options.js';
import unaryWgsl from '../../shaders/unary.wgsl';
import unaryBackwardWgsl from '../../shaders/unary_backward.wgsl';
import { add, div, mul } from './binary.js';
import { ge, gt, le, logicalAnd, logicalOr, lt } from './masks.js';
import { geluErfGrad, geluTanhGrad, mask, unaryRule } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface UnaryAttrs {
  neg: None;
  exp: None;
  log: None;
  sqrt: None;
  tanh: None;
  relu: None;
  sigmoid: None;
  gelu: { approximate: 'none' | 'tanh' };
  abs: None;
  sign: None;
  clamp: { min: number; max: number };
  erf: None;
  silu: None;
  softplus: { beta: number; threshold: number };
  leakyRelu: { slope: number };
  powScalar: { p: number };
  affine: { a: number; b: number };
  hardsigmoid: { alpha: number; beta: number };
  hardswish: None;
  elu: { alpha: number; scale: number; inputScale: number };
  softsign: None;
  mish: None;
  shrink: { lambd: number; bias: number };
  threshold: { threshold: number; value: number };
  logSigmoid: None;
  sin: None;
  cos: None;
  tan: None;
  asin: None;
  acos: None;
  atan: None;
  sinh: None;
  cosh: None;
  asinh: None;
  acosh: None;
  atanh: None;
}
declare module './def.js' {
  interface Attrs extends UnaryAttrs {}
}

interface Spec<A> {
  /** y in terms of x and the scalars a, b (from scalars(attrs)); a function of the attributes when they
   * choose the formula (gelu's approximation). */
  expr: string | ((attrs: A) => string);
  /** dx in terms of x, y, g, a, b. */
  deriv: string | ((attrs: A) => string);
  ref: (x: number, a: number, b: number, attrs: A) => number;
  scalars?: (attrs: A) => [number, number];
}

const UNARY = /* @__PURE__ */ defineKernel(unaryWgsl, { n: 'u32', a: 'f32', b: 'f32' }, { X: 'read {{T}}', Y: 'read_write {{T}}' });
const UNARY_BACKWARD = /* @__PURE__ */ defineKernel(unaryBackwardWgsl, { n: 'u32', a: 'f32', b: 'f32' }, { X: 'read {{T}}', Y: 'read {{T}}', G: 'read {{T}}', DX: 'read_write {{T}}' });

const FORWARD_LANES = /* @__PURE__ */ laneVariants('f', ['x'], ['a', 'b']);
const BACKWARD_LANES = /* @__PURE__ */ laneVariants('d', ['x', 'y', 'g'], ['a', 'b']);

/** dx = deriv(x, y, g) in one dispatch (unary_backward.wgsl), a vec4 per invocation when the size allows. */
export function unaryBackward(deriv: string, x: Tensor, y: Tensor, g: Tensor, dx: Tensor, a = 0, b = 0): void {
  const r = rt();
  const { defines, n } = lanes(x.size, BACKWARD_LANES);
  r.run(UNARY_BACKWARD, { DERIV: deriv, T: defines.T, MAP: defines.MAP }, { X: view(x), Y: view(y), G: view(g), DX: view(dx) }, { n, a, b }, r.groups1d(n, 256));
  if (r.recorder) r.recorder.elementwise({ kind: 'unaryBackward', expr: deriv, scalars: [a, b], inputs: [view(x), view(y), view(g)], sizes: [x.size, x.size, x.size], output: view(dx), n: x.size });
}

function unaryOp<A>(name: string, spec: Spec<A>): OpDef<A> {
  const scalars = spec.scalars ?? (() => [0, 0] as [number, number]);
  const expr = (attrs: A) => (typeof spec.expr === 'string' ? spec.expr : spec.expr(attrs));
  const deriv = (attrs: A) => (typeof spec.deriv === 'string' ? spec.deriv : spec.deriv(attrs));
  return {
    infer([x]) {
      checkDType(name, x, 'f32');
      return { shape: x.shape, dtype: 'f32' };
    },
    forward([x], attrs, save) {
      const y = empty(x.shape);
      if (x.size) {
        const r = rt();
        const [a, b] = scalars(attrs);
        const { defines, n } = lanes(x.size, FORWARD_LANES);
        r.run(UNARY, { EXPR: expr(attrs), T: defines.T, MAP: defines.MAP }, { X: view(x), Y: view(y) }, { n, a, b }, r.groups1d(n, 256));
        if (r.recorder) r.recorder.elementwise({ kind: 'unary', expr: expr(attrs), scalars: [a, b], inputs: [view(x)], sizes: [x.size], output: view(y), n: x.size });
      }
      save(x);
      save(y);
      return y;
    },
    backward(g, [x, y], attrs) {
      const dx = empty(x.shape);
      if (x.size) {
        const [a, b] = scalars(attrs);
        unaryBackward(deriv(attrs), x, y, g, dx, a, b);
      }
      return [dx];
    },
    reference([x], attrs) {
      const [a, b] = scalars(attrs);
      return mapF64(x, (v) => spec.ref(v, a, b, attrs));
    },
  };
}

// float64 helpers of the references (JavaScript's Math has no erf)
/** erf in float64: the Maclaurin series below |x| = 3 (terms to 1e-17; cancellation costs < 4 digits
 * there), erfc's continued fraction (Lentz) beyond. JavaScript's Math has no erf. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
  const tiny = 1e-300;
  let f = z, c = z, d = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    d = z + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** GELU in float64, exact (erf) or in the tanh approximation. */
export function gelu64(x: number, approximate: 'none' | 'tanh' = 'none'): number {
  if (approximate === 'tanh') return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}

const powSign = (p: number, x: number) => (Number.isInteger(p) && Math.abs(p % 2) === 1 && x < 0 ? -1 : 1);

export const unaryDefs: Ops<keyof UnaryAttrs> = /* @__PURE__ */ defineOps(() => ({
  neg: unaryOp<Attrs['neg']>('neg', { expr: '-x', deriv: '-g', ref: (x) => -x }),
  exp: unaryOp<Attrs['exp']>('exp', { expr: 'exp(x)', deriv: 'g * y', ref: Math.exp }),
  log: unaryOp<Attrs['log']>('log', { expr: 'log(x)', deriv: 'g / x', ref: Math.log }),
  sqrt: unaryOp<Attrs['sqrt']>('sqrt', { expr: 'sqrt(x)', deriv: 'g * 0.5 / y', ref: Math.sqrt }),
  tanh: unaryOp<Attrs['tanh']>('tanh', { expr: 'safe_tanh(x)', deriv: 'g * (1.0 - y * y)', ref: Math.tanh }),
  relu: unaryOp<Attrs['relu']>('relu', { expr: 'nan_max(x, 0.0)', deriv: 'select(0.0, g, x > 0.0)', ref: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)) }),
  // the derivative sigmoid(x) sigmoid(-x), not y (1 - y): 1 - y is 0 in f32 from x ~ 17 on, where it is e^-x
  sigmoid: unaryOp<Attrs['sigmoid']>('sigmoid', { expr: 'sigmoid(x)', deriv: 'g * y * sigmoid(-x)', ref: (x) => 1 / (1 + Math.exp(-x)) }),
  gelu: unaryOp<Attrs['gelu']>('gelu', {
    expr: (at) => (at.approximate === 'tanh' ? 'gelu_tanh(x)' : 'gelu_erf(x)'),
    deriv: (at) => (at.approximate === 'tanh' ? 'g * gelu_tanh_grad(x)' : 'g * gelu_erf_grad(x)'),
    ref: (x, _a, _b, at) => gelu64(x, at.approximate),
  }),
  abs: unaryOp<Attrs['abs']>('abs', { expr: 'abs(x)', deriv: 'g * sign(x)', ref: Math.abs }),
  // sign(NaN) = 0, as PyTorch 1.13 (and the kernel: sign() of a NaN is 0 in WGSL's comparisons)
  sign: unaryOp<Attrs['sign']>('sign', { expr: 'sign(x)', deriv: '0.0 * g', ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) }),
  // min(max(x, a), b): max wins when a > b, as in PyTorch (a NaN stays NaN); the gradient passes where a <= x <= b.
  clamp: unaryOp<Attrs['clamp']>('clamp', { expr: 'nan_min(nan_max(x, a), b)', deriv: 'select(0.0, g, x >= a && x <= b)', ref: (x, a, b) => Math.min(Math.max(x, a), b), scalars: (at) => [at.min, at.max] }),
  erf: unaryOp<Attrs['erf']>('erf', { expr: 'erf_(x)', deriv: 'g * TWO_OVER_SQRT_PI * exp(-x * x)', ref: erf64 }),
  silu: unaryOp<Attrs['silu']>('silu', { expr: 'x * sigmoid(x)', deriv: 'g * sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x)))', ref: (x) => x / (1 + Math.exp(-x)) }),
  // (1/beta) log(1 + e^(beta x)), linear above the threshold (PyTorch's default 20): a = beta, b = threshold.
  softplus: unaryOp<Attrs['softplus']>('softplus', {
    expr: 'select(softplus(a * x) / a, x, a * x > b)',
    deriv: 'g * select(sigmoid(a * x), 1.0, a * x > b)',
    ref: (x, beta, th) => (beta * x > th ? x : (Math.max(beta * x, 0) + Math.log1p(Math.exp(-Math.abs(beta * x)))) / beta),
    scalars: (at) => [at.beta, at.threshold],
  }),
  leakyRelu: unaryOp<Attrs['leakyRelu']>('leakyRelu', { expr: 'select(a * x, x, x > 0.0)', deriv: 'select(a * g, g, x > 0.0)', ref: (x, s) => (x > 0 ? x : s * x), scalars: (at) => [at.slope, 0] }),
  powScalar: unaryOp<Attrs['powScalar']>('pow', {
    expr: 'pow_scalar(x, a)',
    deriv: 'select(g * a * pow_scalar(x, a - 1.0), 0.0, a == 0.0)',
    ref: (x, p) => (p === 0 ? 1 : powSign(p, x) * Math.abs(x) ** p * (x < 0 && !Number.isInteger(p) ? NaN : 1)),
    scalars: (at) => [at.p, 0],
  }),
  affine: unaryOp<Attrs['affine']>('affine', { expr: 'a * x + b', deriv: 'g * a', ref: (x, a, b) => a * x + b, scalars: (at) => [at.a, at.b] }),
  // clamp(alpha x + beta, 0, 1): PyTorch's x / 6 + 1/2 by default, ONNX's alpha and beta; flat outside (0, 1).
  hardsigmoid: unaryOp<Attrs['hardsigmoid']>('hardsigmoid', { expr: 'clamp(a * x + b, 0.0, 1.0)', deriv: 'select(0.0, g * a, a * x + b > 0.0 && a * x + b < 1.0)', ref: (x, a, b) => Math.min(Math.max(a * x + b, 0), 1), scalars: (at) => [at.alpha, at.beta] }),
  // x relu6(x + 3) / 6; the derivative x / 3 + 1/2 on [-3, 3] (PyTorch's boundaries).
  hardswish: unaryOp<Attrs['hardswish']>('hardswish', { expr: 'x * clamp(x / 6.0 + 0.5, 0.0, 1.0)', deriv: 'select(select(g * (x / 3.0 + 0.5), g, x > 3.0), 0.0, x < -3.0)', ref: (x) => x * Math.min(Math.max(x / 6 + 0.5, 0), 1) }),
  // scale x above 0, scale alpha (e^(inputScale x) - 1) below: elu, selu and celu (PyTorch's elu kernel's
  // three scalars). a = scale alpha and b = inputScale are parameters; scale is written into the expression.
  elu: unaryOp<Attrs['elu']>('elu', {
    expr: (at) => `select(a * expm1_(b * x), ${wgslFloat(at.scale)} * x, x > 0.0)`,
    deriv: (at) => `select(g * b * (y + a), g * ${wgslFloat(at.scale)}, x > 0.0)`,
    ref: (x, a, b, at) => (x > 0 ? at.scale * x : a * Math.expm1(b * x)),
    scalars: (at) => [at.scale * at.alpha, at.inputScale],
  }),
  softsign: unaryOp<Attrs['softsign']>('softsign', { expr: 'x / (1.0 + abs(x))', deriv: 'g / ((1.0 + abs(x)) * (1.0 + abs(x)))', ref: (x) => x / (1 + Math.abs(x)) }),
  // x tanh(softplus(x)); the derivative tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2).
  mish: unaryOp<Attrs['mish']>('mish', {
    expr: 'x * safe_tanh(softplus(x))',
    deriv: 'g * (safe_tanh(softplus(x)) + x * sigmoid(x) * (1.0 - safe_tanh(softplus(x)) * safe_tanh(softplus(x))))',
    ref: (x) => x * Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))),
  }),
  // log(sigmoid(x)) = -softplus(-x), stable for either sign.
  // x + bias below -lambd, x - bias above lambd, 0 between (ONNX Shrink; PyTorch's hardshrink: bias 0,
  // softshrink: bias lambd): a = lambd, b = bias.
  shrink: unaryOp<Attrs['shrink']>('shrink', {
    expr: 'select(select(0.0, x - b, x > a), x + b, x < -a)',
    deriv: 'select(0.0, g, x > a || x < -a)',
    ref: (x, l, bias) => (x < -l ? x + bias : x > l ? x - bias : 0),
    scalars: (at) => [at.lambd, at.bias],
  }),
  // x above the threshold, value elsewhere (PyTorch's F.threshold; ONNX ThresholdedRelu with value 0).
  threshold: unaryOp<Attrs['threshold']>('threshold', { expr: 'select(b, x, x > a)', deriv: 'select(0.0, g, x > a)', ref: (x, t, v) => (x > t ? x : v), scalars: (at) => [at.threshold, at.value] }),
  logSigmoid: unaryOp<Attrs['logSigmoid']>('logSigmoid', { expr: '-softplus(-x)', deriv: 'g * sigmoid(-x)', ref: (x) => -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)))) }),
  // trigonometric and hyperbolic functions (math.wgsl's careful versions: WGSL's built-ins promise sin and
  // cos only to an absolute 2^-11); outside a function's domain the result is unspecified, as in WGSL.
  sin: unaryOp<Attrs['sin']>('sin', { expr: 'sin_(x)', deriv: 'g * cos_(x)', ref: Math.sin }),
  cos: unaryOp<Attrs['cos']>('cos', { expr: 'cos_(x)', deriv: '-g * sin_(x)', ref: Math.cos }),
  tan: unaryOp<Attrs['tan']>('tan', { expr: 'tan_(x)', deriv: 'g * (1.0 + y * y)', ref: Math.tan }),
  asin: unaryOp<Attrs['asin']>('asin', { expr: 'asin_(x)', deriv: 'g / sqrt((1.0 - x) * (1.0 + x))', ref: Math.asin }),
  acos: unaryOp<Attrs['acos']>('acos', { expr: 'acos_(x)', deriv: '-g / sqrt((1.0 - x) * (1.0 + x))', ref: Math.acos }),
  atan: unaryOp<Attrs['atan']>('atan', { expr: 'atan_(x)', deriv: 'g / (1.0 + x * x)', ref: Math.atan }),
  sinh: unaryOp<Attrs['sinh']>('sinh', { expr: 'sinh_(x)', deriv: 'g * cosh_(x)', ref: Math.sinh }),
  cosh: unaryOp<Attrs['cosh']>('cosh', { expr: 'cosh_(x)', deriv: 'g * sinh_(x)', ref: Math.cosh }),
  asinh: unaryOp<Attrs['asinh']>('asinh', { expr: 'asinh_(x)', deriv: 'g / sqrt(1.0 + x * x)', ref: Math.asinh }),
  acosh: unaryOp<Attrs['acosh']>('acosh', { expr: 'acosh_(x)', deriv: 'g / sqrt((x - 1.0) * (x + 1.0))', ref: Math.acosh }),
  atanh: unaryOp<Attrs['atanh']>('atanh', { expr: 'atanh_(x)', deriv: 'g / ((1.0 - x) * (1.0 + x))', ref: Math.atanh }),
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  neg: unaryRule((_x, _y, g) => neg(g)),
  exp: unaryRule((_x, y, g) => mul(g, y)),
  log: unaryRule((x, _y, g) => div(g, x)),
  sqrt: unaryRule((_x, y, g) => div(affine(g, 0.5), y)),
  tanh: unaryRule((_x, y, g) => mul(g, affine(mul(y, y), -1, 1))),
  relu: unaryRule((x, _y, g) => mul(g, mask(gt(x, 0)))),
  // sigmoid(x) sigmoid(-x), not y (1 - y): 1 - y is 0 in f32 from x ~ 17 on, where the derivative is e^-x
  sigmoid: unaryRule((x, y, g) => mul(g, mul(y, sigmoid(neg(x))))),
  gelu: unaryRule((x, _y, g, { approximate }) => mul(g, approximate === 'tanh' ? geluTanhGrad(x) : geluErfGrad(x))),
  abs: unaryRule((x, _y, g) => mul(g, sign(x))),
  sign: unaryRule((_x, _y, g) => affine(g, 0)),
  clamp: unaryRule((x, _y, g, { min, max }) => mul(g, mask(logicalAnd(ge(x, min), le(x, max))))),
  erf: unaryRule((x, _y, g) => mul(g, affine(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))),
  silu: unaryRule((x, _y, g) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, affine(s, -1, 1)), 1)));
  }),
  softplus: unaryRule((x, _y, g, { beta, threshold }) => {
    const above = mask(gt(affine(x, beta), threshold));
    return mul(g, add(above, mul(affine(above, -1, 1), sigmoid(affine(x, beta)))));
  }),
  leakyRelu: unaryRule((x, _y, g, { slope }) => mul(g, affine(mask(gt(x, 0)), 1 - slope, slope))),
  powScalar: unaryRule((x, _y, g, { p }) => (p === 0 ? affine(g, 0) : mul(g, affine(pow(x, p - 1), p)))),
  affine: unaryRule((_x, _y, g, { a }) => affine(g, a)),
  hardsigmoid: unaryRule((_x, y, g, { alpha }) => mul(g, affine(mask(logicalAnd(gt(y, 0), lt(y, 1))), alpha))),
  hardswish: unaryRule((x, _y, g) => mul(g, add(mask(gt(x, 3)), mul(mask(logicalAnd(ge(x, -3), le(x, 3))), affine(x, 1 / 3, 0.5))))),
  elu: unaryRule((x, y, g, { alpha, scale, inputScale }) => {
    const above = mask(gt(x, 0));
    return mul(g, add(affine(above, scale), mul(affine(above, -1, 1), affine(y, inputScale, inputScale * scale * alpha))));
  }),
  softsign: unaryRule((x, _y, g) => div(g, pow(affine(abs(x), 1, 1), 2))),
  mish: unaryRule((x, _y, g) => {
    const t = tanh(softplus(x));
    return mul(g, add(t, mul(mul(x, sigmoid(x)), affine(mul(t, t), -1, 1))));
  }),
  shrink: unaryRule((x, _y, g, { lambd }) => mul(g, mask(logicalOr(gt(x, lambd), lt(x, -lambd))))),
  threshold: unaryRule((x, _y, g, { threshold }) => mul(g, mask(gt(x, threshold)))), // conv2d of g; the weight's by a conv2d correlation
  logSigmoid: unaryRule((x, _y, g) => mul(g, sigmoid(neg(x)))),
  sin: unaryRule((x, _y, g) => mul(g, cos(x))),
  cos: unaryRule((x, _y, g) => neg(mul(g, sin(x)))),
  tan: unaryRule((_x, y, g) => mul(g, affine(mul(y, y), 1, 1))),
  asin: unaryRule((x, _y, g) => div(g, sqrt(mul(affine(x, -1, 1), affine(x, 1, 1))))),
  acos: unaryRule((x, _y, g) => neg(div(g, sqrt(mul(affine(x, -1, 1), affine(x, 1, 1)))))),
  atan: unaryRule((x, _y, g) => div(g, affine(mul(x, x), 1, 1))),
  sinh: unaryRule((x, _y, g) => mul(g, cosh(x))),
  cosh: unaryRule((x, _y, g) => mul(g, sinh(x))),
  asinh: unaryRule((x, _y, g) => div(g, sqrt(affine(mul(x, x), 1, 1)))),
  acosh: unaryRule((x, _y, g) => div(g, sqrt(mul(affine(x, 1, -1), affine(x, 1, 1))))),
  atanh: unaryRule((x, _y, g) => div(g, mul(affine(x, -1, 1), affine(x, 1, 1)))),
}));

/** A WGSL f32 literal of v (always with a decimal point or exponent). */
const wgslFloat = (v: number) => Math.fround(v).toExponential(8);

export const neg = (x: Tensor) => apply(unaryDefs.neg, [x], {});
export const exp = (x: Tensor) => apply(unaryDefs.exp, [x], {});
export const log = (x: Tensor) => apply(unaryDefs.log, [x], {});
export const sqrt = (x: Tensor) => apply(unaryDefs.sqrt, [x], {});
export const tanh = (x: Tensor) => apply(unaryDefs.tanh, [x], {});
export const relu = (x: Tensor) => apply(unaryDefs.relu, [x], {});
export const sigmoid = (x: Tensor) => apply(unaryDefs.sigmoid, [x], {});
/** GELU: exact, x Phi(x) through erf, by default (PyTorch's nn.GELU()); `approximate: 'tanh'` for GPT-2's form. */
export function gelu(x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkOptions('gelu', opts, ['approximate']);
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return apply(unaryDefs.gelu, [x], { approximate });
}
export const abs = (x: Tensor) => apply(unaryDefs.abs, [x], {});
export const sign = (x: Tensor) => apply(unaryDefs.sign, [x], {});
export const erf = (x: Tensor) => apply(unaryDefs.erf, [x], {});
export const silu = (x: Tensor) => apply(unaryDefs.silu, [x], {});
export const sin = (x: Tensor) => apply(unaryDefs.sin, [x], {});
export const cos = (x: Tensor) => apply(unaryDefs.cos, [x], {});
export const tan = (x: Tensor) => apply(unaryDefs.tan, [x], {});
export const asin = (x: Tensor) => apply(unaryDefs.asin, [x], {});
export const acos = (x: Tensor) => apply(unaryDefs.acos, [x], {});
export const atan = (x: Tensor) => apply(unaryDefs.atan, [x], {});
export const sinh = (x: Tensor) => apply(unaryDefs.sinh, [x], {});
export const cosh = (x: Tensor) => apply(unaryDefs.cosh, [x], {});
export const asinh = (x: Tensor) => apply(unaryDefs.asinh, [x], {});
export const acosh = (x: Tensor) => apply(unaryDefs.acosh, [x], {});
export const atanh = (x: Tensor) => apply(unaryDefs.atanh, [x], {});

/** Limits x to [min, max] (either may be omitted; min > max gives max everywhere, as in PyTorch). */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new Error('clamp: at least one of min and max must be given');
  for (const [n, v] of [['min', min], ['max', max]] as const) if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new Error(`clamp: ${n} must be a number, got ${v}`);
  // a missing bound is a large finite sentinel (WGSL leaves infinities to the implementation)
  return apply(unaryDefs.clamp, [x], { min: Math.max(min ?? -3.4e38, -3.4e38), max: Math.min(max ?? 3.4e38, 3.4e38) });
}

/** (1/beta) log(1 + exp(beta x)), x itself where beta x > threshold (PyTorch's F.softplus). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`softplus: beta must be a positive finite number, got ${beta}`);
  if (!Number.isFinite(threshold)) throw new Error(`softplus: threshold must be finite, got ${threshold}`);
  return apply(unaryDefs.softplus, [x], { beta, threshold });
}

/** x for x > 0, slope * x otherwise (PyTorch's F.leaky_relu, default slope 0.01). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  if (!Number.isFinite(slope)) throw new Error(`leakyRelu: slope must be finite, got ${slope}`);
  return apply(unaryDefs.leakyRelu, [x], { slope });
}

/** x ** p for a scalar exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p)) throw new Error(`pow: the exponent must be a finite number, got ${p}`);
  return apply(unaryDefs.powScalar, [x], { p });
}

/** a * x + b for scalars a, b (how tensor-scalar arithmetic is done). */
export function affine(x: Tensor, a: number, b = 0): Tensor {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`affine: scalars must be finite, got a = ${a}, b = ${b}`);
  return apply(unaryDefs.affine, [x], { a, b });
}

/** clamp(alpha x + beta, 0, 1): PyTorch's F.hardsigmoid (x / 6 + 1/2) by default; ONNX HardSigmoid passes
 * alpha 0.2 and beta 0.5. */
export function hardsigmoid(x: Tensor, opts: { alpha?: number; beta?: number } = {}): Tensor {
  checkOptions('hardsigmoid', opts, ['alpha', 'beta']);
  const { alpha = 1 / 6, beta = 0.5 } = opts;
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new Error(`hardsigmoid: alpha and beta must be finite, got alpha = ${alpha}, beta = ${beta}`);
  return apply(unaryDefs.hardsigmoid, [x], { alpha, beta });
}

/** x clamp(x / 6 + 1/2, 0, 1) (PyTorch's F.hardswish, ONNX HardSwish). */
export const hardswish = (x: Tensor) => apply(unaryDefs.hardswish, [x], {});

/** clamp(x, min, max) (PyTorch's F.hardtanh, default [-1, 1]); the gradient passes at the bounds too. */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  if (!(min <= max)) throw new Error(`hardtanh: min ${min} must not exceed max ${max}`);
  return clamp(x, min, max);
}

function eluOp(name: string, alpha: number, scale: number, inputScale: number, x: Tensor): Tensor {
  if (!Number.isFinite(alpha)) throw new Error(`${name}: alpha must be finite, got ${alpha}`);
  return apply(unaryDefs.elu, [x], { alpha, scale, inputScale }, name);
}
/** x for x > 0, alpha (e^x - 1) otherwise (PyTorch's F.elu, ONNX Elu). */
export const elu = (x: Tensor, alpha = 1) => eluOp('elu', alpha, 1, 1, x);
/** PyTorch's F.selu: scale elu(x, alpha) with its fixed constants (ONNX Selu's defaults). */
export const selu = (x: Tensor) => eluOp('selu', 1.6732632423543772, 1.0507009873554805, 1, x);
/** max(0, x) + min(0, alpha (e^(x / alpha) - 1)) (PyTorch's F.celu, ONNX Celu). */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (!alpha) throw new Error(`celu: alpha must not be 0, got ${alpha}`);
  return eluOp('celu', alpha, 1, 1 / alpha, x);
}
/** x / (1 + |x|). */
export const softsign = (x: Tensor) => apply(unaryDefs.softsign, [x], {});
/** x tanh(softplus(x)) (PyTorch's F.mish, ONNX Mish). */
export const mish = (x: Tensor) => apply(unaryDefs.mish, [x], {});
/** log(sigmoid(x)), computed as -softplus(-x) (PyTorch's F.logsigmoid). */
export const logSigmoid = (x: Tensor) => apply(unaryDefs.logSigmoid, [x], {});

function shrinkOp(name: string, lambd: number, bias: number, x: Tensor): Tensor {
  if (!(lambd >= 0) || !Number.isFinite(lambd)) throw new Error(`${name}: lambd must be a finite number >= 0, got ${lambd}`);
  if (!Number.isFinite(bias)) throw new Error(`${name}: bias must be finite, got ${bias}`);
  return apply(unaryDefs.shrink, [x], { lambd, bias }, name);
}
/** x where |x| > lambd, 0 elsewhere (PyTorch's F.hardshrink). */
export const hardshrink = (x: Tensor, lambd = 0.5) => shrinkOp('hardshrink', lambd, 0, x);
/** x - lambd above lambd, x + lambd below -lambd, 0 between (PyTorch's F.softshrink). */
export const softshrink = (x: Tensor, lambd = 0.5) => shrinkOp('softshrink', lambd, lambd, x);
/** ONNX Shrink: x + bias below -lambd, x - bias above lambd, 0 between. */
export function shrink(x: Tensor, opts: { lambd?: number; bias?: number } = {}): Tensor {
  checkOptions('shrink', opts, ['lambd', 'bias']);
  return shrinkOp('shrink', opts.lambd ?? 0.5, opts.bias ?? 0, x);
}
/** x where x > threshold, value elsewhere (PyTorch's F.threshold; ONNX ThresholdedRelu is value 0). */
export function threshold(x: Tensor, threshold: number, value: number): Tensor {
  if (!Number.isFinite(threshold) || !Number.isFinite(value)) throw new Error(`threshold: threshold and value must be finite, got ${threshold} and ${value}`);
  return apply(unaryDefs.threshold, [x], { threshold, value });
}

// Tensor methods (a.neg(...) reads as neg(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    clamp(min?: number, max?: number): Tensor;
    erf(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    pow(p: number): Tensor;
    affine(a: number, b?: number): Tensor;
  }
}
tensorMethods({
  neg() { return neg(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  tanh() { return tanh(this); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  gelu(opts?: { approximate?: 'none' | 'tanh' }) { return gelu(this, opts); },
  abs() { return abs(this); },
  sign() { return sign(this); },
  clamp(min?: number, max?: number) { return clamp(this, min, max); },
  erf() { return erf(this); },
  sin() { return sin(this); },
  cos() { return cos(this); },
  tan() { return tan(this); },
  asin() { return asin(this); },
  acos() { return acos(this); },
  atan() { return atan(this); },
  sinh() { return sinh(this); },
  cosh() { return cosh(this); },
  asinh() { return asinh(this); },
  acosh() { return acosh(this); },
  atanh() { return atanh(this); },
  pow(p: number) { return pow(this, p); },
  affine(a: number, b = 0) { return affine(this, a, b); },
});
