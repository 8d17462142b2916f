// Neural-network layers: Gemm, MatMul, Conv (1-D and 2-D), MaxPool/AveragePool (1-D and 2-D),
// GlobalAveragePool/GlobalMaxPool, BatchNormalization, LayerNormalization, InstanceNormalization (as a
// group norm with one channel per group), PRelu.
import {
  Tensor, add, affine, avgPool2d, batchNorm, conv2d, groupNorm, layerNorm, matmul, max, maxPool2d, mean, mul, pad, reshape,
  transpose, where, gt, full, cast,
} from '../../index.js';
import { def, type OnnxNode, type Val } from './registry.js';
import { attr, fail } from './util.js';
import type { OpCtx } from '../exec.js';

const asF32 = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));

def('MatMul', {
  1: (c, [a, b], n) => {
    let ta = asF32(c.t(a, 'A'));
    let tb = asF32(c.t(b, 'B'));
    if (!ta.ndim || !tb.ndim) fail(n, 'inputs must be at least 1-D');
    const [va, vb] = [ta.ndim === 1, tb.ndim === 1];
    if (va) ta = reshape(ta, [1, ta.shape[0]]);
    if (vb) tb = reshape(tb, [tb.shape[0], 1]);
    if (ta.shape[ta.ndim - 1] !== tb.shape[tb.ndim - 2]) fail(n, `shapes [${a!.shape.join(', ')}] and [${b!.shape.join(', ')}] do not multiply`);
    let y = matmul(ta, tb);
    if (va) y = reshape(y, [...y.shape.slice(0, -2), y.shape[y.ndim - 1]]);
    if (vb) y = reshape(y, y.shape.slice(0, -1));
    return y;
  },
});

def('Gemm', {
  1: (c, [a, b, bias], n) => {
    let ta = asF32(c.t(a, 'A'));
    let tb = asF32(c.t(b, 'B'));
    if (ta.ndim !== 2 || tb.ndim !== 2) fail(n, `A and B must be 2-D, got [${ta.shape.join(', ')}] and [${tb.shape.join(', ')}]`);
    if (attr(n, 'transA', 0)) ta = transpose(ta, 0, 1);
    if (attr(n, 'transB', 0)) tb = transpose(tb, 0, 1);
    if (ta.shape[1] !== tb.shape[0]) fail(n, `A' [${ta.shape.join(', ')}] and B' [${tb.shape.join(', ')}] do not multiply`);
    const alpha = attr<number>(n, 'alpha', 1);
    const beta = attr<number>(n, 'beta', 1);
    let y = matmul(ta, tb);
    if (alpha !== 1) y = affine(y, alpha);
    if (bias !== undefined && beta !== 0) {
      const tc = asF32(c.t(bias, 'C'));
      y = add(y, beta === 1 ? tc : affine(tc, beta));
    }
    return y;
  },
});

/** Spatial attributes of Conv and the pools for `k` spatial dims: kernel, strides, dilations, pads
 * [begin..., end...] with auto_pad resolved. */
function spatial(n: OnnxNode, inShape: readonly number[], kernel: number[]) {
  const k = kernel.length;
  const strides = attr<number[]>(n, 'strides', new Array(k).fill(1));
  const dil = attr<number[]>(n, 'dilations', new Array(k).fill(1));
  let pads = attr<number[]>(n, 'pads', new Array(2 * k).fill(0));
  const auto = attr(n, 'auto_pad', 'NOTSET');
  if (auto === 'VALID') pads = new Array(2 * k).fill(0);
  else if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    pads = new Array(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      const size = inShape[2 + i];
      const out = Math.ceil(size / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - size);
      const small = Math.floor(total / 2);
      pads[i] = auto === 'SAME_UPPER' ? small : total - small;
      pads[i + k] = total - pads[i];
    }
  } else if (auto !== 'NOTSET') fail(n, `auto_pad '${auto}' is not valid`);
  if (strides.length !== k || dil.length !== k || pads.length !== 2 * k) fail(n, `strides, dilations and pads must match ${k} spatial dims`);
  return { strides, dil, pads };
}

/** [N, C, L] as [N, C, 1, L] so that 1-D ops run through rootgrad's 2-D kernels. */
const to2d = (t: Tensor) => (t.ndim === 3 ? reshape(t, [t.shape[0], t.shape[1], 1, t.shape[2]]) : t);
const from2d = (t: Tensor, was1d: boolean) => (was1d ? reshape(t, [t.shape[0], t.shape[1], t.shape[3]]) : t);
const pair = (v: number[], one: boolean, fill: number): [number, number] => (one ? [fill, v[0]] : [v[0], v[1]]);

/** rootgrad's pad for ONNX pads [b0, b1, e0, e1] (or [b, e] for 1-D as width only). */
function padSpatial(t: Tensor, pads: number[], one: boolean, value: number): Tensor {
  if (pads.every((p) => p === 0)) return t;
  return one ? pad(t, [pads[0], pads[1]], value) : pad(t, [pads[1], pads[3], pads[0], pads[2]], value);
}

def('Conv', {
  1: (c, [x, w, b], n) => {
    const tx = asF32(c.t(x, 'X'));
    const tw = asF32(c.t(w, 'W'));
    const one = tx.ndim === 3;
    if (tx.ndim !== 4 && !one) fail(n, `only 1-D and 2-D convolutions are supported, got input [${tx.shape.join(', ')}]`);
    const kernel = attr<number[]>(n, 'kernel_shape', tw.shape.slice(2) as number[]);
    const { strides, dil, pads } = spatial(n, tx.shape, kernel);
    const groups = attr(n, 'group', 1);
    const k = kernel.length;
    const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k]);
    const input = to2d(symmetric ? tx : padSpatial(tx, pads, one, 0));
    const padding = symmetric ? pair(pads, one, 0) : ([0, 0] as [number, number]);
    const y = conv2d(input, to2d(tw), b === undefined ? null : asF32(c.t(b, 'B')), { stride: pair(strides, one, 1), dilation: pair(dil, one, 1), padding, groups });
    return from2d(y, one);
  },
});

function pool(c: OpCtx, n: OnnxNode, x: Val, kind: 'max' | 'avg'): Val {
  const tx = asF32(c.t(x, 'X'));
  const one = tx.ndim === 3;
  if (tx.ndim !== 4 && !one) fail(n, `only 1-D and 2-D pooling is supported, got input [${tx.shape.join(', ')}]`);
  if (attr(n, 'ceil_mode', 0)) fail(n, 'ceil_mode=1 is not supported yet');
  if (n.outputs.length > 1 && n.outputs[1]) fail(n, 'the Indices output is not supported yet');
  const kernel = attr<number[]>(n, 'kernel_shape');
  if (!kernel) fail(n, 'kernel_shape is required');
  const { strides, dil, pads } = spatial(n, tx.shape, kernel);
  if (dil.some((d) => d !== 1)) fail(n, `dilations [${dil.join(', ')}] are not supported yet`);
  const k = kernel.length;
  const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k]) && pads.slice(0, k).every((p, i) => 2 * p <= kernel[i]);
  const includePad = attr(n, 'count_include_pad', 0) === 1;
  const kernel2 = pair(kernel, one, 1);
  const stride2 = pair(strides, one, 1);
  if (symmetric) {
    const padding = pair(pads, one, 0);
    const y = kind === 'max' ? maxPool2d(to2d(tx), { kernel: kernel2, stride: stride2, padding }) : avgPool2d(to2d(tx), { kernel: kernel2, stride: stride2, padding, countIncludePad: includePad });
    return from2d(y, one);
  }
  if (kind === 'avg' && !includePad) fail(n, `asymmetric pads [${pads.join(', ')}] with count_include_pad=0 are not supported yet`);
  const padded = to2d(padSpatial(tx, pads, one, kind === 'max' ? -3.4e38 : 0));
  const y = kind === 'max' ? maxPool2d(padded, { kernel: kernel2, stride: stride2 }) : avgPool2d(padded, { kernel: kernel2, stride: stride2, countIncludePad: true });
  return from2d(y, one);
}
def('MaxPool', { 1: (c, [x], n) => pool(c, n, x!, 'max') });
def('AveragePool', { 1: (c, [x], n) => pool(c, n, x!, 'avg') });

const spatialAxes = (t: Tensor) => [...Array(t.ndim).keys()].slice(2);
def('GlobalAveragePool', { 1: (c, [x]) => { const t = asF32(c.t(x)); return mean(t, spatialAxes(t), true); } });
def('GlobalMaxPool', { 1: (c, [x]) => { const t = asF32(c.t(x)); return max(t, spatialAxes(t), true); } });

// BatchNormalization: the running statistics (inputs 3 and 4) are buffers. In eval mode (an imported
// model's default) they normalise; after train() the batch statistics do and the buffers are updated in
// place (ONNX's momentum m weighs the old value: PyTorch's momentum is 1 - m).
def('BatchNormalization', {
  1: {
    buffers: [3, 4],
    run: (c, [x, scale, bias, m, v], n) => {
      const outs = n.outputs.filter((o, i) => i > 0 && o).length;
      const training = c.training || attr(n, 'training_mode', 0) === 1;
      if (outs) fail(n, 'the running statistics outputs (training mode) are not supported');
      const mom = attr<number>(n, 'momentum', 0.9);
      const tx = asF32(c.t(x, 'X'));
      const y = batchNorm(tx.ndim === 2 || tx.ndim === 4 ? tx : tx, asF32(c.t(scale, 'scale')), asF32(c.t(bias, 'B')), {
        runningMean: c.t(m, 'mean'),
        runningVar: c.t(v, 'var'),
        training,
        momentum: 1 - mom,
        eps: attr(n, 'epsilon', 1e-5),
      });
      return y;
    },
  },
});

// LayerNormalization (opset 17): normalised over the axes from `axis` on, as rootgrad's layerNorm over
// the last axis after flattening them.
def('LayerNormalization', {
  17: (c, [x, scale, bias], n) => {
    if (n.outputs.slice(1).some((o) => o)) fail(n, 'the Mean and InvStdDev outputs are not supported');
    const tx = asF32(c.t(x, 'X'));
    let axis = attr(n, 'axis', -1);
    if (axis < 0) axis += tx.ndim;
    if (axis < 0 || axis >= tx.ndim) fail(n, `axis ${attr(n, 'axis', -1)} is out of range for rank ${tx.ndim}`);
    const D = tx.shape.slice(axis).reduce((p, d) => p * d, 1);
    const flat = reshape(tx, [...tx.shape.slice(0, axis), D]);
    const w = reshape(expandTo(asF32(c.t(scale, 'Scale')), tx.shape.slice(axis)), [D]);
    const b = bias === undefined ? full([D], 0) : reshape(expandTo(asF32(c.t(bias, 'B')), tx.shape.slice(axis)), [D]);
    return reshape(layerNorm(flat, w, b, attr(n, 'epsilon', 1e-5)), tx.shape);
  },
});
function expandTo(t: Tensor, shape: readonly number[]): Tensor {
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : mul(t, full(shape, 1));
}

def('InstanceNormalization', {
  6: (c, [x, scale, bias], n) => {
    const tx = asF32(c.t(x, 'input'));
    if (tx.ndim < 3) fail(n, `input must be [N, C, ...], got [${tx.shape.join(', ')}]`);
    return groupNorm(tx, tx.shape[1], asF32(c.t(scale, 'scale')), asF32(c.t(bias, 'B')), attr(n, 'epsilon', 1e-5));
  },
});

// PRelu: slope broadcast against x (unidirectionally).
def('PRelu', {
  7: (c, [x, slope]) => {
    const tx = asF32(c.t(x, 'X'));
    const s = asF32(c.t(slope, 'slope'));
    return where(gt(tx, 0), tx, mul(tx, s));
  },
});
