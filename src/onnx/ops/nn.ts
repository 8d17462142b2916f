// Neural-network layers: Einsum, Gemm, MatMul, Conv and ConvTranspose (1-D to 3-D), MaxPool (with Indices)
// and AveragePool, GlobalAveragePool/GlobalMaxPool, LRN, BatchNormalization, LayerNormalization,
// InstanceNormalization (as a group norm with one channel per group), PRelu.
import {
  Tensor, add, affine, avgPool2d, batchNorm, conv2d, div, groupNorm, layerNorm, matmul, max, maxPool2d, maximum, mean, mul, pad, reshape,
  slice, sqrt, sub, sum, abs, tensor, transpose, variance, where, gt, full, cast, convTranspose2d,
  maxPool2dWithIndices, localResponseNorm, indexSelect, flatten, einsum, scatter,
} from '../../core.js';
import { def } from './registry.js';
import { attr, fail } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

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
    // integer matrices multiply in f32 (exact below 2^24) and come back as integers
    return a!.dtype === 'i32' ? cast(y, 'i32') : y;
  },
});

// Einsum: rootgrad's einsum takes ONNX's equations (explicit '->' or implicit, '...' for broadcast axes).
def('Einsum', {
  12: (c, xs, n) => {
    const eq = attr(n, 'equation', '');
    if (!eq) fail(n, 'the equation attribute is required');
    const ts = xs.map((x, i) => c.t(x, `input ${i}`));
    const intOut = ts.every((t) => t.dtype === 'i32');
    const y = einsum(eq.replace(/\s+/g, ''), ...ts.map(asF32));
    return intOut ? cast(y, 'i32') : y;
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
    if (tx.ndim !== 4 && tx.ndim !== 5 && !one) fail(n, `only 1-D, 2-D and 3-D convolutions are supported, got input [${tx.shape.join(', ')}]`);
    const kernel = attr<number[]>(n, 'kernel_shape', tw.shape.slice(2) as number[]);
    const { strides, dil, pads } = spatial(n, tx.shape, kernel);
    const groups = attr(n, 'group', 1);
    const k = kernel.length;
    if (k === 3) return conv3d(tx, tw, b === undefined ? null : asF32(c.t(b, 'B')), strides, dil, pads, groups);
    const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k]);
    const input = to2d(symmetric ? tx : padSpatial(tx, pads, one, 0));
    const padding = symmetric ? pair(pads, one, 0) : ([0, 0] as [number, number]);
    const y = conv2d(input, to2d(tw), b === undefined ? null : asF32(c.t(b, 'B')), { stride: pair(strides, one, 1), dilation: pair(dil, one, 1), padding, groups });
    return from2d(y, one);
  },
});

/**
 * 3-D convolution as one 2-D convolution per kernel depth offset: the depth slices it reads are folded
 * into the batch, and the results summed.
 */
function conv3d(x: Tensor, w: Tensor, bias: Tensor | null, strides: number[], dil: number[], pads: number[], groups: number): Tensor {
  const [N, C, D] = x.shape;
  const [O, , KD] = w.shape;
  const xp = pad(x, [pads[2], pads[5], pads[1], pads[4], pads[0], pads[3]]);
  const Dp = D + pads[0] + pads[3];
  const OD = Math.floor((Dp - (KD - 1) * dil[0] - 1) / strides[0]) + 1;
  if (OD <= 0) throw new Error(`kernel depth ${KD} does not fit the padded depth ${Dp}`);
  let acc: Tensor | null = null;
  for (let kd = 0; kd < KD; kd++) {
    const xs = slice(xp, 2, kd * dil[0], kd * dil[0] + (OD - 1) * strides[0] + 1, strides[0]); // [N, C, OD, H, W]
    const [H, W] = xs.shape.slice(3);
    const folded = reshape(transpose(xs, 1, 2), [N * OD, C, H, W]);
    const wk = reshape(slice(w, 2, kd, kd + 1), [O, w.shape[1], w.shape[3], w.shape[4]]);
    const y = conv2d(folded, wk, null, { stride: [strides[1], strides[2]], dilation: [dil[1], dil[2]], groups });
    acc = acc ? add(acc, y) : y;
  }
  const [OH, OW] = acc!.shape.slice(2);
  let y = transpose(reshape(acc!, [N, OD, O, OH, OW]), 1, 2);
  if (bias) y = add(y, reshape(bias, [O, 1, 1, 1]));
  return y;
}

// ConvTranspose (1-D, 2-D, 3-D): ONNX's pads, output_padding, output_shape and auto_pad become a crop
// (or zero extension) of the full transposed convolution; symmetric pads with an output_padding below
// the stride go to rootgrad's convTranspose2d directly. 3-D: the depth axis is zero-stuffed by the stride
// and each kernel depth's 2-D result is shifted into place and summed.
def('ConvTranspose', {
  1: (c, [x, w, b], n) => {
    const tx = asF32(c.t(x, 'X'));
    const tw = asF32(c.t(w, 'W'));
    const k = tx.ndim - 2;
    if (k < 1 || k > 3 || tw.ndim !== tx.ndim) fail(n, `only 1-D, 2-D and 3-D transposed convolutions are supported, got input [${tx.shape.join(', ')}] and weight [${tw.shape.join(', ')}]`);
    const groups = attr(n, 'group', 1);
    if (tw.shape[0] !== tx.shape[1]) fail(n, `weight [${tw.shape.join(', ')}] does not take ${tx.shape[1]} input channels`);
    const kernel = attr<number[]>(n, 'kernel_shape', tw.shape.slice(2) as number[]);
    if (kernel.some((d, i) => d !== tw.shape[2 + i])) fail(n, `kernel_shape [${kernel.join(', ')}] does not match weight [${tw.shape.join(', ')}]`);
    const strides = attr<number[]>(n, 'strides', new Array(k).fill(1));
    const dil = attr<number[]>(n, 'dilations', new Array(k).fill(1));
    const outPad = attr<number[]>(n, 'output_padding', new Array(k).fill(0));
    let pads = attr<number[]>(n, 'pads', new Array(2 * k).fill(0));
    if (strides.length !== k || dil.length !== k || outPad.length !== k || pads.length !== 2 * k) fail(n, `strides, dilations, output_padding and pads must match ${k} spatial dims`);
    const full = kernel.map((K, i) => (tx.shape[2 + i] - 1) * strides[i] + (K - 1) * dil[i] + 1);
    const auto = attr(n, 'auto_pad', 'NOTSET');
    let target = attr<number[]>(n, 'output_shape');
    if (!target && (auto === 'SAME_UPPER' || auto === 'SAME_LOWER')) target = tx.shape.slice(2).map((d, i) => d * strides[i]);
    else if (auto === 'VALID') pads = new Array(2 * k).fill(0);
    else if (auto !== 'NOTSET' && auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') fail(n, `auto_pad '${auto}' is not valid`);
    if (target) {
      // output_shape may list N and C too
      const sp = target.length === k + 2 ? target.slice(2) : target;
      if (sp.length !== k) fail(n, `output_shape [${target.join(', ')}] must have ${k} spatial dims`);
      pads = new Array(2 * k).fill(0);
      for (let i = 0; i < k; i++) {
        const total = full[i] + outPad[i] - sp[i];
        const half = Math.floor(total / 2);
        [pads[i], pads[i + k]] = auto === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
      }
    }
    const bias = b === undefined ? null : asF32(c.t(b, 'B'));
    const O = tw.shape[1] * groups;
    const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k] && p >= 0) && outPad.every((p, i) => p >= 0 && (p < strides[i] || p < dil[i]));
    if (k < 3 && symmetric) {
      const one = k === 1;
      const y = convTranspose2d(to2d(tx), to2d(tw), bias, { stride: pair(strides, one, 1), dilation: pair(dil, one, 1), padding: pair(pads, one, 0), outputPadding: pair(outPad, one, 0), groups });
      return from2d(y, one);
    }
    let y = k === 3 ? convTranspose3d(tx, tw, strides, dil, groups) : from2d(convTranspose2d(to2d(tx), to2d(tw), null, { stride: pair(strides, k === 1, 1), dilation: pair(dil, k === 1, 1), groups }), k === 1);
    // crop pads[begin] at the start and pads[end] - output_padding at the end (negative: zeros added)
    for (let i = 0; i < k; i++) {
      const [lo, hi] = [pads[i], pads[i + k] - outPad[i]];
      const axis = 2 + i;
      const keepFrom = Math.max(lo, 0);
      const keepTo = full[i] - Math.max(hi, 0);
      if (keepTo <= keepFrom) fail(n, `pads [${pads.join(', ')}] leave no output along spatial axis ${i}`);
      if (keepFrom > 0 || keepTo < full[i]) y = slice(y, axis, keepFrom, keepTo);
      if (lo < 0 || hi < 0) {
        const spec = new Array(2 * y.ndim).fill(0); // rootgrad pad: last axis first
        const j = y.ndim - 1 - axis;
        spec[2 * j] = Math.max(-lo, 0);
        spec[2 * j + 1] = Math.max(-hi, 0);
        y = pad(y, spec.slice(0, 2 * (j + 1)), 0);
      }
    }
    return bias ? add(y, reshape(bias, [O, ...new Array(k).fill(1)])) : y;
  },
});

/** 3-D transposed convolution without bias or cropping: output depth (D - 1) s + (KD - 1) d + 1. */
function convTranspose3d(x: Tensor, w: Tensor, strides: number[], dil: number[], groups: number): Tensor {
  const [N, C, D, H, W] = x.shape;
  const [, M, KD] = w.shape;
  // depth zero-stuffed by its stride: [N, C, (D - 1) s + 1, H, W]
  let xs = x;
  if (strides[0] > 1) {
    const spread = pad(reshape(x, [N, C, D, 1, H * W]), [0, 0, 0, strides[0] - 1]);
    xs = slice(reshape(spread, [N, C, D * strides[0], H, W]), 2, 0, (D - 1) * strides[0] + 1);
  }
  const Ds = xs.shape[2];
  const folded = reshape(transpose(xs, 1, 2), [N * Ds, C, H, W]);
  let acc: Tensor | null = null;
  for (let kd = 0; kd < KD; kd++) {
    const wk = reshape(slice(w, 2, kd, kd + 1), [C, M, w.shape[3], w.shape[4]]);
    const y2 = convTranspose2d(folded, wk, null, { stride: [strides[1], strides[2]], dilation: [dil[1], dil[2]], groups });
    const [OH, OW] = y2.shape.slice(2);
    const y = transpose(reshape(y2, [N, Ds, M * groups, OH, OW]), 1, 2); // [N, O, Ds, OH, OW]
    const shifted = pad(y, [0, 0, 0, 0, kd * dil[0], (KD - 1 - kd) * dil[0]]);
    acc = acc ? add(acc, shifted) : shifted;
  }
  return acc!;
}

function pool(c: OpCtx, n: OnnxNode, x: Val, kind: 'max' | 'avg'): Val | Val[] {
  const tx = asF32(c.t(x, 'X'));
  const kernel = attr<number[]>(n, 'kernel_shape');
  if (!kernel) fail(n, 'kernel_shape is required');
  if (tx.ndim !== kernel.length + 2) fail(n, `input [${tx.shape.join(', ')}] does not match kernel_shape [${kernel.join(', ')}]`);
  const { strides, dil, pads } = spatial(n, tx.shape, kernel);
  const k = kernel.length;
  const ceil = attr(n, 'ceil_mode', 0) === 1;
  if (n.outputs.length > 1 && n.outputs[1]) return maxPoolWithIndices(n, tx, kernel, strides, dil, pads, ceil);
  const includePad = attr(n, 'count_include_pad', 0) === 1;
  const one = k === 1;
  const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k]) && pads.slice(0, k).every((p, i) => 2 * p <= kernel[i]);
  if (k > 2 || ceil || dil.some((d) => d !== 1) || (!symmetric && kind === 'avg' && !includePad)) return poolBySlices(tx, kind, kernel, strides, dil, pads, ceil, includePad);
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
/**
 * MaxPool with its Indices output (1-D and 2-D, symmetric pads of at most half the kernel): rootgrad's
 * maxPool2dWithIndices gives h * W + w within each [H, W] plane; ONNX counts over N*C*H*W, and with
 * storage_order 1 within a plane column-major (w * H + h), mapped through a host table of the plane.
 */
function maxPoolWithIndices(n: OnnxNode, x: Tensor, kernel: number[], strides: number[], dil: number[], pads: number[], ceil: boolean): Tensor[] {
  const k = kernel.length;
  const symmetric = pads.slice(0, k).every((p, i) => p === pads[i + k] && 2 * p <= kernel[i]);
  if (k > 2 || !symmetric) fail(n, `the Indices output needs a 1-D or 2-D pool with symmetric pads of at most half the kernel, got kernel [${kernel.join(', ')}] and pads [${pads.join(', ')}]`);
  const one = k === 1;
  const x2 = to2d(x);
  const { values, indices } = maxPool2dWithIndices(x2, { kernel: pair(kernel, one, 1), stride: pair(strides, one, 1), padding: pair(pads, one, 0), dilation: pair(dil, one, 1), ceilMode: ceil });
  const [N, C, H, W] = x2.shape;
  let local = indices;
  if (attr(n, 'storage_order', 0) === 1) {
    const table = tensor(Int32Array.from({ length: H * W }, (_, i) => (i % W) * H + Math.floor(i / W)), [H * W], { dtype: 'i32' });
    local = reshape(indexSelect(table, 0, flatten(indices)), indices.shape);
  }
  // plane offsets in f32 (exact below 2^24 elements)
  if (N * C * H * W > 1 << 24) fail(n, `the Indices output counts over ${N * C * H * W} elements, more than 2^24`);
  const offsets = tensor(Float32Array.from({ length: N * C }, (_, p) => p * H * W), [N, C, 1, 1]);
  const global = cast(add(cast(local, 'f32'), offsets), 'i32');
  return [from2d(values, one), from2d(global, one)];
}

// MaxUnpool: X's values written at MaxPool's Indices (flat over N*C*spatial of the default output shape)
// into zeros by rootgrad's scatter, then zero-padded at the end of each spatial axis up to output_shape
// when one is given (as ONNX's reference: the indices keep their coordinates). Gradient to X: the output's
// gradient gathered at the indices.
def('MaxUnpool', {
  9: {
    host: [2],
    run: (c, [x, idx, outShape], n) => {
      const tx = asF32(c.t(x, 'X'));
      const ti = c.t(idx, 'I');
      if (ti.dtype !== 'i32') fail(n, `I must be integers, got ${ti.dtype}`);
      if (ti.shape.length !== tx.ndim || ti.shape.some((d, i) => d !== tx.shape[i])) fail(n, `I [${ti.shape.join(', ')}] must have X's shape [${tx.shape.join(', ')}]`);
      const kernel = attr<number[]>(n, 'kernel_shape') ?? fail(n, 'kernel_shape is required');
      const k = kernel.length;
      if (tx.ndim !== k + 2) fail(n, `X [${tx.shape.join(', ')}] does not match kernel_shape [${kernel.join(', ')}]`);
      const strides = attr<number[]>(n, 'strides', kernel.map(() => 1));
      const pads = attr<number[]>(n, 'pads', new Array(2 * k).fill(0));
      if (strides.length !== k || pads.length !== 2 * k) fail(n, `strides and pads must match ${k} spatial dims`);
      const natural = [...tx.shape.slice(0, 2), ...tx.shape.slice(2).map((d, i) => (d - 1) * strides[i] + kernel[i] - pads[i] - pads[i + k])];
      const target = outShape === undefined ? natural : c.ints(outShape, 'output_shape');
      if (target.length !== tx.ndim || target[0] !== natural[0] || target[1] !== natural[1] || target.some((d, i) => d < natural[i])) {
        fail(n, `output_shape [${target.join(', ')}] must be [${natural.slice(0, 2).join(', ')}, ...] and at least [${natural.join(', ')}]`);
      }
      const total = natural.reduce((p, d) => p * d, 1);
      const flat = scatter(full([total], 0), 0, reshape(ti, [ti.size]), reshape(tx, [tx.size]));
      const y = reshape(flat, natural);
      if (target.every((d, i) => d === natural[i])) return y;
      // rootgrad's pad takes (before, after) pairs from the last axis on
      const padList: number[] = [];
      for (let a = tx.ndim - 1; a >= 2; a--) padList.push(0, target[a] - natural[a]);
      return pad(y, padList);
    },
  },
});

// Det: the determinant of the last two axes ([..., M, M]) by cofactor expansion along the first row, each
// minor once (memoised by its columns), through slices, products and sums: exact for the small matrices
// models hold, differentiable; above 4 x 4 (24 products) refused with a message (an LU factorisation with
// pivoting would need a primitive).
const DET_MAX = 4;
def('Det', {
  11: (c, [x], n) => {
    const t = asF32(c.t(x, 'X'));
    const r = t.ndim;
    if (r < 2 || t.shape[r - 1] !== t.shape[r - 2]) fail(n, `X must be [..., M, M], got [${t.shape.join(', ')}]`);
    const M = t.shape[r - 1];
    if (M > DET_MAX) fail(n, `matrices of ${M} x ${M} are not supported (at most ${DET_MAX} x ${DET_MAX}: cofactor expansion)`);
    const batch = t.shape.slice(0, r - 2);
    if (M === 0) return full(batch, 1);
    const entry = (i: number, j: number) => reshape(slice(slice(t, r - 2, i, i + 1), r - 1, j, j + 1), batch);
    const memo = new Map<string, Tensor>();
    // the determinant of rows row.. and the given columns
    const minor = (row: number, cols: number[]): Tensor => {
      const key = cols.join(',');
      const hit = memo.get(key);
      if (hit) return hit;
      let acc: Tensor | null = null;
      if (cols.length === 1) acc = entry(row, cols[0]);
      else {
        cols.forEach((col, k) => {
          const term = mul(entry(row, col), minor(row + 1, cols.filter((q) => q !== col)));
          acc = acc === null ? term : k % 2 ? sub(acc, term) : add(acc, term);
        });
      }
      memo.set(key, acc!);
      return acc!;
    };
    return minor(0, [...Array(M).keys()]);
  },
});

// LRN: across channels, the window from floor((size - 1) / 2) channels before.
def('LRN', {
  1: (c, [x], n) => {
    const t = asF32(c.t(x, 'X'));
    const size = attr<number>(n, 'size') ?? fail(n, 'the size attribute is required');
    return localResponseNorm(t, size, attr<number>(n, 'alpha', 1e-4), attr<number>(n, 'beta', 0.75), attr<number>(n, 'bias', 1), { before: Math.floor((size - 1) / 2) });
  },
});

/**
 * Pooling of any spatial rank as the max (or the sum over the count) of one strided slice per kernel
 * offset: covers dilations, ceil_mode, 3-D and pads that rootgrad's 2-D kernels do not take.
 */
function poolBySlices(x: Tensor, kind: 'max' | 'avg', kernel: number[], strides: number[], dil: number[], pads: number[], ceil: boolean, includePad: boolean): Tensor {
  const k = kernel.length;
  const out: number[] = [];
  const extra: number[] = [];
  for (let i = 0; i < k; i++) {
    const L = x.shape[2 + i];
    const span = (kernel[i] - 1) * dil[i] + 1;
    const room = L + pads[i] + pads[i + k] - span;
    let o = (ceil ? Math.ceil(room / strides[i]) : Math.floor(room / strides[i])) + 1;
    if (ceil && (o - 1) * strides[i] >= L + pads[i]) o--; // a window may not start in the end padding
    out.push(Math.max(o, 0));
    extra.push(Math.max(0, (o - 1) * strides[i] + span - (L + pads[i] + pads[i + k])));
  }
  // rootgrad pad: last axis first, [begin, end] per axis
  const padsOf = (begins: number[], ends: number[]) => Array.from({ length: k }, (_, j) => k - 1 - j).flatMap((i) => [begins[i], ends[i]]);
  const begins = pads.slice(0, k);
  const ends = pads.slice(k).map((p, i) => p + extra[i]);
  const fill = kind === 'max' ? -3.4e38 : 0;
  const padded = pad(x, padsOf(begins, ends), fill);
  // max and sum are separable: reduce the windows one spatial axis at a time (sum of kernel sizes slices)
  const windows = (t: Tensor, combine: (a: Tensor, b: Tensor) => Tensor): Tensor => {
    let cur = t;
    for (let i = 0; i < k; i++) {
      let acc: Tensor | null = null;
      for (let o = 0; o < kernel[i]; o++) {
        const s = slice(cur, 2 + i, o * dil[i], o * dil[i] + (out[i] - 1) * strides[i] + 1, strides[i]);
        acc = acc ? combine(acc, s) : s;
      }
      cur = acc!;
    }
    return cur;
  };
  if (kind === 'max') return windows(padded, maximum);
  // the count per window: the input (and the explicit pads when they count), never the ceil overhang
  const spatialShape = x.shape.slice(2);
  const ones = tensor(new Float32Array(spatialShape.reduce((p, q) => p * q, 1)).fill(1), [1, 1, ...spatialShape]);
  // (the explicit pads count as ones, then the overhang is added at the end only: it must not shift the grid)
  const countIn = includePad
    ? pad(pad(ones, padsOf(begins, pads.slice(k)), 1), padsOf(new Array(k).fill(0), extra), 0)
    : pad(ones, padsOf(begins, ends), 0);
  return div(windows(padded, add), windows(countIn, add));
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
    // opsets 1 to 8 have `spatial`; 0 (statistics per activation, [C, D1, ...]) is refused at load
    check: (n) => {
      if (attr(n, 'spatial', 1) === 0) fail(n, 'spatial=0 (statistics per activation: scale, B, mean and var of shape [C, D1, ...]) is not supported; rootgrad normalises per channel (spatial=1)');
    },
    run: (c, [x, scale, bias, m, v], n) => {
      const outs = n.outputs.filter((o, i) => i > 0 && o).length;
      const training = c.training || attr(n, 'training_mode', 0) === 1;
      const mom = attr<number>(n, 'momentum', 0.9);
      const tx = asF32(c.t(x, 'X'));
      if (outs) {
        // opset 14+ training mode with the updated running statistics as outputs (population variance)
        if (!training) fail(n, 'the running statistics outputs need training_mode=1');
        const axes = [0, ...[...Array(tx.ndim).keys()].slice(2)];
        const stat = [tx.shape[1], ...new Array(tx.ndim - 2).fill(1)];
        const bm = mean(tx, axes, true);
        const bv = variance(tx, axes, { correction: 0, keepdim: true });
        const eps = attr<number>(n, 'epsilon', 1e-5);
        const norm = div(sub(tx, bm), sqrt(affine(bv, 1, eps)));
        const y = add(mul(norm, reshape(asF32(c.t(scale, 'scale')), stat)), reshape(asF32(c.t(bias, 'B')), stat));
        const run = (old: Val | undefined, batch: Tensor, what: string) => add(affine(asF32(c.t(old, what)), mom), affine(reshape(batch, [tx.shape[1]]), 1 - mom));
        return [y, run(m, bm, 'input_mean'), run(v, bv, 'input_var')];
      }
      const y = batchNorm(tx, asF32(c.t(scale, 'scale')), asF32(c.t(bias, 'B')), {
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
    const tx = asF32(c.t(x, 'X'));
    let axis = attr(n, 'axis', -1);
    if (axis < 0) axis += tx.ndim;
    if (axis < 0 || axis >= tx.ndim) fail(n, `axis ${attr(n, 'axis', -1)} is out of range for rank ${tx.ndim}`);
    const D = tx.shape.slice(axis).reduce((p, d) => p * d, 1);
    const flat = reshape(tx, [...tx.shape.slice(0, axis), D]);
    const w = reshape(expandTo(asF32(c.t(scale, 'Scale')), tx.shape.slice(axis)), [D]);
    const b = bias === undefined ? full([D], 0) : reshape(expandTo(asF32(c.t(bias, 'B')), tx.shape.slice(axis)), [D]);
    const eps = attr<number>(n, 'epsilon', 1e-5);
    if (!n.outputs.slice(1).some((o) => o)) return reshape(layerNorm(flat, w, b, eps), tx.shape);
    // Mean and InvStdDev wanted too: the same normalisation in pieces
    const m = mean(flat, -1, true);
    const inv = div(full([], 1), sqrt(affine(variance(flat, -1, { correction: 0, keepdim: true }), 1, eps)));
    const y = add(mul(mul(sub(flat, m), inv), w), b);
    const statShape = tx.shape.map((d, i) => (i < axis ? d : 1));
    return [reshape(y, tx.shape), reshape(m, statShape), reshape(inv, statShape)];
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
  6: (c, [x, slope]) => {
    const tx = asF32(c.t(x, 'X'));
    let s = asF32(c.t(slope, 'slope'));
    // a per-channel slope [C] of opset 6 applies along axis 1
    if (s.ndim === 1 && tx.ndim > 2 && s.shape[0] === tx.shape[1] && s.shape[0] !== tx.shape[tx.ndim - 1]) s = reshape(s, [s.shape[0], ...new Array(tx.ndim - 2).fill(1)]);
    return where(gt(tx, 0), tx, mul(tx, s));
  },
});

// MeanVarianceNormalization: (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9) over axes (default N, H, W).
def('MeanVarianceNormalization', {
  9: (c, [x], n) => {
    const t = asF32(c.t(x, 'X'));
    const axes = attr<number[]>(n, 'axes', [0, 2, 3]).map((a) => (a < 0 ? a + t.ndim : a));
    const m = mean(t, axes, true);
    const v = sub(mean(mul(t, t), axes, true), mul(m, m));
    return div(sub(t, m), affine(sqrt(v), 1, 1e-9));
  },
});

// LpNormalization: x / ||x||_p along an axis (p = 1 or 2).
def('LpNormalization', {
  1: (c, [x], n) => {
    const t = asF32(c.t(x, 'input'));
    const p = attr(n, 'p', 2);
    let axis = attr(n, 'axis', -1);
    if (axis < 0) axis += t.ndim;
    const norm = p === 1 ? sum(abs(t), axis, true) : p === 2 ? sqrt(sum(mul(t, t), axis, true)) : fail(n, `p ${p} is not supported (1 or 2)`);
    return div(t, norm);
  },
});
