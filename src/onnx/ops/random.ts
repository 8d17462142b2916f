// Random ops: Bernoulli, RandomUniform(Like), RandomNormal(Like), drawn by rootgrad's rand/randn from its
// global generator (manualSeed makes them repeatable). ONNX's `seed` attribute is not used: no generator
// reproduces another runtime's draws, so the backend test data's expected numbers for these ops cannot be
// matched (the conformance suite exempts them).
import { cast, lt, rand, randn, type Tensor, type DType } from '../../core.js';
import { dtypeOf, typeName } from '../read.js';
import { def } from './registry.js';
import { attr, fail } from './util.js';
import type { OnnxNode } from '../types.js';

/** The dtype attribute (an ONNX element type) as a rootgrad dtype, or `fallback` when it is absent. */
function dtypeAttr(n: OnnxNode, fallback: DType): DType {
  const to = attr<number>(n, 'dtype');
  if (to === undefined) return fallback;
  return dtypeOf(to) ?? fail(n, `dtype ${typeName(to)} is not supported`);
}
const as = (t: Tensor, dtype: DType) => (t.dtype === dtype ? t : cast(t, dtype));

function shapeAttr(n: OnnxNode): number[] {
  const shape = attr<number[]>(n, 'shape') ?? fail(n, 'the shape attribute is required');
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(n, `shape [${shape.join(', ')}] is not valid`);
  return shape;
}

// Bernoulli: 1 where a uniform draw in [0, 1) is below the probability, else 0; no gradient (a sample).
def('Bernoulli', {
  15: (c, [p], n) => {
    const t = c.t(p, 'input');
    const prob = as(t, 'f32');
    return as(lt(rand(prob.shape), prob), dtypeAttr(n, t.dtype));
  },
});
def('RandomUniform', {
  1: (_c, _x, n) => as(rand(shapeAttr(n), { low: attr(n, 'low', 0), high: attr(n, 'high', 1) }), dtypeAttr(n, 'f32')),
});
def('RandomNormal', {
  1: (_c, _x, n) => as(randn(shapeAttr(n), { mean: attr(n, 'mean', 0), std: attr(n, 'scale', 1) }), dtypeAttr(n, 'f32')),
});
def('RandomUniformLike', {
  1: (_c, [x], n) => {
    const like = x ?? fail(n, 'input is missing');
    return as(rand(like.shape, { low: attr(n, 'low', 0), high: attr(n, 'high', 1) }), dtypeAttr(n, like.dtype));
  },
});
def('RandomNormalLike', {
  1: (_c, [x], n) => {
    const like = x ?? fail(n, 'input is missing');
    return as(randn(like.shape, { mean: attr(n, 'mean', 0), std: attr(n, 'scale', 1) }), dtypeAttr(n, like.dtype));
  },
});
