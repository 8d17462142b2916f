// The audit's cases for the unary ops (src/ops/unary.ts), gathered by src/audit.ts: per primitive, a sampler
// of inputs, attributes and the function checked. Beside the ops rather than in their file so that the core
// bundle, which shares the op files with the audit's, does not carry them.
import { Tensor } from '../tensor.js';
import { type AuditCases, choose, randShape, rnd, unaryCase } from './audit_cases.js';
import { mul } from './binary.js';
import { abs, acos, acosh, affine, asin, asinh, atan, atanh, celu, clamp, cos, cosh, elu, erf, exp, gelu, hardshrink, hardsigmoid, hardswish, leakyRelu, log, logSigmoid, mish, neg, pow, relu, selu, shrink, sigmoid, sign, silu, sin, sinh, softplus, softshrink, softsign, sqrt, tan, tanh, threshold, type UnaryAttrs } from './unary.js';

/** The gradient audit's case for each primitive here (src/audit.ts runs them; one missing does not compile). */
export function unaryAuditCases(): AuditCases<keyof UnaryAttrs> {
  return {
    neg: unaryCase(neg),
    exp: unaryCase(exp),
    log: unaryCase(log, 0.1, 3),
    sqrt: unaryCase(sqrt, 0.1, 3),
    tanh: unaryCase(tanh),
    relu: (g) => {
      const sign = g.uniform() < 0.5 ? 1 : -1; // both sides of the kink, never at it
      return { inputs: { x: rnd(g, randShape(g), 0.05, 2) }, fn: (x) => relu(affine(x, sign)), attrs: { sign } };
    },
    sigmoid: unaryCase(sigmoid, -4, 4),
    gelu: (g) => {
      const approximate = choose(g, ['none', 'tanh'] as const);
      return { inputs: { x: rnd(g, randShape(g), -3, 3) }, fn: (x) => gelu(x, { approximate }), attrs: { approximate } };
    },
    // kinks kept away from: |x| >= 0.05 on the sampled grid
    abs: (g) => {
      const s = choose(g, [1, -1]); // drawn here: fn must be the same function at every call
      return { inputs: { x: rnd(g, randShape(g), 0.05, 2) }, fn: (x) => abs(affine(x, s)), attrs: { sign: s } };
    },
    sign: (g) => ({ inputs: { x: rnd(g, randShape(g), 0.05, 2) }, fn: (x) => mul(sign(affine(x, -1)), x) }),
    clamp: (g) => ({ inputs: { x: rnd(g, randShape(g), -2, 2) }, fn: (x) => clamp(affine(x, 1, 0.0005), -1.0003, 0.5007) }),
    erf: unaryCase(erf, -3, 3),
    silu: unaryCase(silu, -4, 4),
    softplus: (g) => {
      const beta = choose(g, [1, 2]);
      return { inputs: { x: rnd(g, randShape(g), -3, 3) }, fn: (x) => softplus(affine(x, 1, 0.0005), beta, 1.5), attrs: { beta, threshold: 1.5 } };
    },
    leakyRelu: (g) => {
      const s = choose(g, [1, -1]);
      return { inputs: { x: rnd(g, randShape(g), 0.05, 2) }, fn: (x) => leakyRelu(affine(x, s), 0.1), attrs: { sign: s, negativeSlope: 0.1 } };
    },
    powScalar: (g) => {
      const p = choose(g, [2, 3, 0.5, -1, 1.5]);
      return { inputs: { x: rnd(g, randShape(g), 0.3, 2) }, fn: (x) => pow(x, p), attrs: { exponent: p } };
    },
    affine: unaryCase((x) => affine(x, 1.5, -0.25)),
    // kinks at -3 and 3 (and 0 for elu, selu, celu, softsign): the shifted 1e-3 grid never lands on them
    hardsigmoid: (g) => {
      const onnx = g.uniform() < 0.5; // ONNX's alpha 0.2: kinks at -2.5 and 2.5
      return { inputs: { x: rnd(g, randShape(g), -4, 4) }, fn: (x) => hardsigmoid(affine(x, 1, 0.0005), onnx ? { alpha: 0.2, beta: 0.5 } : {}) };
    },
    hardswish: unaryCase((x) => hardswish(affine(x, 1, 0.0005)), -4, 4),
    elu: (g) => {
      const which = choose(g, ['elu', 'selu', 'celu'] as const);
      const f = (x: Tensor) => affine(x, 1, 0.0005);
      return { inputs: { x: rnd(g, randShape(g), -3, 3) }, fn: (x) => (which === 'elu' ? elu(f(x), 0.7) : which === 'selu' ? selu(f(x)) : celu(f(x), 1.5)) };
    },
    softsign: unaryCase((x) => softsign(affine(x, 1, 0.0005)), -3, 3),
    mish: unaryCase(mish, -4, 4),
    shrink: (g) => {
      const which = choose(g, ['hardshrink', 'softshrink', 'shrink'] as const); // kinks at +-0.5 (+-0.3), away from the shifted grid
      return { inputs: { x: rnd(g, randShape(g), -2, 2) }, fn: (x) => { const t = affine(x, 1, 0.0005); return which === 'shrink' ? shrink(t, { lambd: 0.3, bias: 0.7 }) : which === 'hardshrink' ? hardshrink(t) : softshrink(t); } };
    },
    threshold: unaryCase((x) => threshold(affine(x, 1, 0.0005), 0.25, -1.5)),
    logSigmoid: unaryCase(logSigmoid, -5, 5),
    // trigonometric and hyperbolic: inside each domain, away from its poles (acosh: 1.1 + |x|)
    sin: unaryCase(sin, -4, 4),
    cos: unaryCase(cos, -4, 4),
    tan: unaryCase(tan, -1.2, 1.2),
    asin: unaryCase(asin, -0.9, 0.9),
    acos: unaryCase(acos, -0.9, 0.9),
    atan: unaryCase(atan, -4, 4),
    sinh: unaryCase(sinh, -3, 3),
    cosh: unaryCase(cosh, -3, 3),
    asinh: unaryCase(asinh, -4, 4),
    acosh: unaryCase((x) => acosh(affine(abs(x), 1, 1.1)), -3, 3),
    atanh: unaryCase(atanh, -0.9, 0.9),
  };
}
