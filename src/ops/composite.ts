// Ops made of other ops (so autograd, the float64 reference and the audit come with their parts): oneHot,
// prelu, instanceNorm (groupNorm with a group per channel) and localResponseNorm (a sum of shifted squares).
import type { Tensor } from '../tensor.js';
import { arange, ones, zeros } from '../creation.js';
import { shapeStr } from '../shape.js';
import { add, mul } from './binary.js';
import { affine, pow } from './unary.js';
import { cast } from './cast.js';
import { eq, gt, where } from './masks.js';
import { reshape } from './movement.js';
import { narrow, pad } from './joining.js';
import { groupNorm } from './normalization.js';
import { checkIndices } from './gather.js';
import { checkOptions } from '../options.js';

/** i32 one-hot rows of i32 class indices: [...indices.shape, numClasses] (torch.nn.functional.one_hot;
 * numClasses -1 takes max + 1 from host-known indices). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== 'i32') throw new Error(`oneHot: indices must be i32, got ${indices.dtype} tensor of shape ${shapeStr(indices.shape)}`);
  let C = numClasses;
  if (C === -1) {
    const h = indices.host ?? indices.ref?.data;
    if (!h) throw new Error('oneHot: numClasses -1 needs indices made on the host (their maximum sets it); pass numClasses');
    C = h.length ? Math.max(...Array.from(h)) + 1 : 0;
  }
  if (!Number.isInteger(C) || C < 1) throw new Error(`oneHot: numClasses must be a positive integer (or -1), got ${numClasses}`);
  checkIndices('oneHot', indices, C, 'class index');
  const classes = arange(0, C, 1, { dtype: 'i32' });
  const hot = eq(reshape(indices, [...indices.shape, 1]), classes);
  const out = cast(hot, 'i32');
  classes.dispose();
  hot.dispose();
  return out;
}

/** x where x > 0, weight * x elsewhere (torch.nn.functional.prelu): weight [1], or [C] for channel axis 1,
 * or any shape that broadcasts against x (ONNX PRelu's slope). Gradients to x and weight. */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const C = x.ndim >= 2 ? x.shape[1] : 1;
  if (weight.ndim === 1 && weight.size !== 1 && weight.size !== C) throw new Error(`prelu: weight ${shapeStr(weight.shape)} must have 1 or ${C} (the channels of input ${shapeStr(x.shape)}) elements`);
  const w = weight.ndim === 1 && weight.size === C && C > 1 ? reshape(weight, [1, C, ...x.shape.slice(2).map(() => 1)]) : weight;
  const positive = gt(x, 0);
  const scaled = mul(x, w);
  const out = where(positive, x, scaled);
  for (const t of [positive, scaled, ...(w !== weight ? [w] : [])]) t.dispose();
  return out;
}

/** Instance normalisation of [N, C, ...] (torch.nn.functional.instance_norm with the input's statistics,
 * ONNX InstanceNormalization): each sample and channel normalised over the trailing axes, then an optional
 * per-channel weight and bias. */
export function instanceNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim < 3) throw new Error(`instanceNorm: input must be [N, C, ...] with at least one trailing axis, got ${shapeStr(x.shape)}`);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`instanceNorm: eps must be a positive finite number, got ${eps}`);
  const C = x.shape[1];
  const w = weight ?? ones([C]);
  const b = bias ?? zeros([C]);
  try {
    return groupNorm(x, C, w, b, eps);
  } finally {
    if (!weight) w.dispose();
    if (!bias) b.dispose();
  }
}

/** Local response normalisation across channels (torch.nn.functional.local_response_norm):
 * x / (k + alpha / size * sum of x^2 over a window of `size` channels)^beta. The window spans `before`
 * channels before (PyTorch: floor(size / 2); ONNX LRN: floor((size - 1) / 2)) and the rest after. */
export function localResponseNorm(x: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1, opts: { before?: number } = {}): Tensor {
  checkOptions('localResponseNorm', opts, ['before']);
  if (x.ndim < 3) throw new Error(`localResponseNorm: input must be [N, C, ...] with at least one trailing axis, got ${shapeStr(x.shape)}`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`localResponseNorm: size must be a positive integer, got ${size}`);
  for (const [n, v] of [['alpha', alpha], ['beta', beta], ['k', k]] as const) if (!Number.isFinite(v)) throw new Error(`localResponseNorm: ${n} must be finite, got ${v}`);
  const before = opts.before ?? Math.floor(size / 2);
  if (!Number.isInteger(before) || before < 0 || before >= size) throw new Error(`localResponseNorm: before must be an integer in [0, ${size - 1}], got ${before}`);
  const C = x.shape[1];
  const temps: Tensor[] = [];
  const temp = (t: Tensor) => (temps.push(t), t);
  // pad the channel axis (torch's pad order: last axis first) so that window c starts at padded channel c
  const padded = temp(pad(temp(mul(x, x)), [...x.shape.slice(2).flatMap(() => [0, 0]), before, size - 1 - before]));
  let total = temp(narrow(padded, 1, 0, C));
  for (let j = 1; j < size; j++) total = temp(add(total, temp(narrow(padded, 1, j, C))));
  const out = mul(x, temp(pow(temp(affine(total, alpha / size, k)), -beta)));
  for (const t of temps) t.dispose();
  return out;
}
