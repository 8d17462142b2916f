// Loss ops: NegativeLogLikelihoodLoss (12) and SoftmaxCrossEntropyLoss (12), as a gather of the target
// class along axis 1, per-class weights, ignore_index and the none/sum/mean reductions (mean divides by
// the summed weights of the targets that count, as ONNX and PyTorch).
import { Tensor, affine, cast, div, eq, full, gather, indexSelect, logSoftmax, mul, reshape, sum, where } from '../../core.js';
import { def } from './registry.js';
import { attr, fail } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

function nll(c: OpCtx, n: OnnxNode, logp: Tensor, targetVal: Val, weightVal: Val | undefined): Tensor {
  const target = c.t(targetVal, 'target');
  if (target.dtype !== 'i32') fail(n, `target must be integers, got ${target.dtype}`);
  const N = logp.shape[0];
  const rest = logp.shape.slice(2);
  if (target.ndim !== logp.ndim - 1 || target.shape[0] !== N || rest.some((d, i) => d !== target.shape[i + 1])) fail(n, `target [${target.shape.join(', ')}] does not match input [${logp.shape.join(', ')}]`);
  const ignore = attr<number>(n, 'ignore_index');
  const ignored = ignore === undefined ? null : eq(target, full([], ignore, { dtype: 'i32' }));
  const safe = ignored ? where(ignored, full([], 0, { dtype: 'i32' }), target) : target;
  const idx = reshape(safe, [N, 1, ...rest]);
  const picked = reshape(gather(logp, 1, idx), target.shape);
  let w: Tensor = weightVal === undefined ? full(target.shape, 1) : reshape(indexSelect(c.t(weightVal, 'weight'), 0, reshape(safe, [safe.size])), target.shape);
  if (ignored) w = where(ignored, full([], 0), w);
  const loss = mul(affine(picked, -1), w);
  const reduction = attr(n, 'reduction', 'mean');
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  if (reduction !== 'mean') fail(n, `reduction '${reduction}' is not valid`);
  return div(sum(loss), sum(w));
}

def('NegativeLogLikelihoodLoss', {
  12: (c, [x, t, w], n) => {
    const input = c.t(x, 'input');
    if (input.ndim < 2) fail(n, `input must be [N, C, ...], got [${input.shape.join(', ')}]`);
    return nll(c, n, input, t!, w);
  },
});

def('SoftmaxCrossEntropyLoss', {
  12: (c, [x, t, w], n) => {
    const scores = c.t(x, 'scores');
    if (scores.ndim < 2) fail(n, `scores must be [N, C, ...], got [${scores.shape.join(', ')}]`);
    const logp = logSoftmax(scores.dtype === 'f32' ? scores : cast(scores, 'f32'), 1);
    const loss = nll(c, n, logp, t!, w);
    return n.outputs.length > 1 && n.outputs[1] ? [loss, logp] : [loss];
  },
});
