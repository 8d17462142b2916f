// Transposed 2-D convolution (PyTorch's conv_transpose2d, ONNX ConvTranspose), NCHW, weight
// [in, out / groups, KH, KW]: the input gradient of the conv2d whose weight it is, so the forward is
// conv2d's backward-to-input kernels (conv2d_backward_input.wgsl, or the flipped-weight forward kernels at
// stride 1), and the backward is a conv2d (to the input) and conv2d's weight-gradient kernels (to the weight).
import { Tensor } from '../tensor.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType } from './apply.js';
import { CONV2D_OPTIONS, convInputGrad, convWeightGrad, pair, type Pair } from './conv.js';
import { add } from './binary.js';
import { reshape, permute } from './movement.js';
import { sum } from './reduce.js';
import { narrow } from './joining.js';
import { checkOptions } from '../options.js';
import { convDefs } from './conv.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface ConvTransposeAttrs {
  /** NCHW, weight [in, out / groups, KH, KW]; inputs x, weight and an optional bias */
  convTranspose2d: { stride: [number, number]; padding: [number, number]; outputPadding: [number, number]; dilation: [number, number]; groups: number };
}
declare module './def.js' {
  interface Attrs extends ConvTransposeAttrs {}
}

/** The output extent along one axis: (in - 1) stride - 2 pad + dilation (kernel - 1) + outputPadding + 1. */
const extent = (n: number, k: number, s: number, p: number, d: number, op: number) => (n - 1) * s - 2 * p + d * (k - 1) + op + 1;

function outShape(x: readonly number[], w: readonly number[], a: Attrs['convTranspose2d']): number[] {
  return [x[0], w[1] * a.groups, extent(x[2], w[2], a.stride[0], a.padding[0], a.dilation[0], a.outputPadding[0]), extent(x[3], w[3], a.stride[1], a.padding[1], a.dilation[1], a.outputPadding[1])];
}

const convAttrs = (a: Attrs['convTranspose2d']): Attrs['conv2d'] => ({ stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });

export const convTransposeDefs: Ops<keyof ConvTransposeAttrs> = /* @__PURE__ */ defineOps(() => ({
  convTranspose2d: {
    infer([x, w, b], a) {
      checkDType('convTranspose2d', x, 'f32', 'input');
      checkDType('convTranspose2d', w, 'f32', 'weight');
      if (b) checkDType('convTranspose2d', b, 'f32', 'bias');
      if (x.ndim !== 4) throw new Error(`convTranspose2d: input must be 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
      if (w.ndim !== 4) throw new Error(`convTranspose2d: weight must be 4-D [in, out / groups, KH, KW], got ${shapeStr(w.shape)}`);
      const { groups } = a;
      if (x.shape[1] % groups) throw new Error(`convTranspose2d: groups (${groups}) must divide the input channels (${x.shape[1]})`);
      if (w.shape[0] !== x.shape[1]) throw new Error(`convTranspose2d: weight ${shapeStr(w.shape)} expects ${w.shape[0]} input channels, got input ${shapeStr(x.shape)}`);
      a.outputPadding.forEach((p, i) => {
        if (p >= a.stride[i]) throw new Error(`convTranspose2d: outputPadding [${a.outputPadding.join(', ')}] must be smaller than the stride [${a.stride.join(', ')}]`);
      });
      const out = outShape(x.shape, w.shape, a);
      if (b && (b.ndim !== 1 || b.shape[0] !== out[1])) throw new Error(`convTranspose2d: bias must be [${out[1]}] for weight ${shapeStr(w.shape)} and groups ${groups}, got ${shapeStr(b.shape)}`);
      if (out[2] < 1 || out[3] < 1) throw new Error(`convTranspose2d: padding [${a.padding.join(', ')}] leaves an empty output ${shapeStr(out)} (input ${shapeStr(x.shape)}, weight ${shapeStr(w.shape)})`);
      return { shape: out, dtype: 'f32' };
    },
    forward([x, w, b], a, save) {
      save(x);
      save(w);
      const y = convInputGrad(x, w, outShape(x.shape, w.shape, a), convAttrs(a));
      if (!b) return y;
      const perChannel = reshape(b, [1, b.shape[0], 1, 1]);
      const out = add(y, perChannel);
      y.dispose();
      perChannel.dispose();
      return out;
    },
    backward(g, [x, w], a, [ix, iw, ib]) {
      // to x: the conv2d of g with the same weight and geometry (its output is x's size: outputPadding < stride)
      const dx = ix.requiresGrad ? apply(convDefs.conv2d, [g, w], convAttrs(a)) : null;
      const dw = iw.requiresGrad ? convWeightGrad(x, g, w.shape, convAttrs(a)) : null;
      const db = ib?.requiresGrad ? sum(g, [0, 2, 3]) : null;
      return ib ? [dx, dw, db] : [dx, dw];
    },
    reference([x, w, b], a) {
      const [N, C, H, W] = x.shape;
      const [, Og, KH, KW] = w.shape;
      const out = outShape(x.shape, w.shape, a);
      const [, O, OH, OW] = out;
      const y = f64(out);
      const Cg = C / a.groups;
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          const grp = Math.floor(c / Cg);
          for (let ih = 0; ih < H; ih++)
            for (let iw = 0; iw < W; iw++) {
              const v = x.data[((n * C + c) * H + ih) * W + iw];
              for (let o = 0; o < Og; o++)
                for (let kh = 0; kh < KH; kh++) {
                  const oh = ih * a.stride[0] - a.padding[0] + kh * a.dilation[0];
                  if (oh < 0 || oh >= OH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const ow = iw * a.stride[1] - a.padding[1] + kw * a.dilation[1];
                    if (ow < 0 || ow >= OW) continue;
                    y.data[((n * O + grp * Og + o) * OH + oh) * OW + ow] += v * w.data[((c * Og + o) * KH + kh) * KW + kw];
                  }
                }
            }
        }
      if (b) for (let i = 0; i < y.data.length; i++) y.data[i] += b.data[Math.floor(i / (OH * OW)) % O];
      return y;
    },
  } satisfies OpDef<Attrs['convTranspose2d']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  convTranspose2d: { backward: convTransposeGraphRule },
}));

/** convTranspose2d's gradients in differentiable ops (for createGraph): to x a conv2d of g; to the weight the
 * correlation of g with x (a conv2d with batch and channels swapped, stride and dilation exchanged: groups 1
 * only); to the bias the sum of g. */
export function convTransposeGraphRule(g: Tensor, [x, w]: Tensor[], a: Attrs['convTranspose2d'], [ix, iw, ib]: readonly Tensor[]): (Tensor | null)[] {
  const dx = ix.requiresGrad ? apply(convDefs.conv2d, [g, w], convAttrs(a)) : null;
  let dw: Tensor | null = null;
  if (iw.requiresGrad) {
    if (a.groups !== 1) throw new Error(`convTranspose2d: cannot record its backward (createGraph) for groups ${a.groups}: only groups 1 has one yet`);
    // dw[c, o, kh, kw] = sum over n, ih, iw of x[n, c, ih, iw] g[n, o, ih s - p + kh d, ...]
    const corr = apply(convDefs.conv2d, [permute(g, [1, 0, 2, 3]), permute(x, [1, 0, 2, 3])], { stride: a.dilation, padding: a.padding, dilation: a.stride, groups: 1 });
    const [KH, KW] = w.shape.slice(2);
    dw = permute(narrow(narrow(corr, 2, 0, KH), 3, 0, KW), [1, 0, 2, 3]);
  }
  const db = ib?.requiresGrad ? sum(g, [0, 2, 3]) : null;
  return ib ? [dx, dw, db] : [dx, dw];
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  /** dilation (KH - 1) - padding zeros on each side of the convolution this transposes: the output is cropped. */
  padding?: Pair;
  /** Extra rows and columns at the bottom and right (smaller than the stride), to pick among output sizes. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** Transposed convolution (PyTorch's conv_transpose2d): x [N, in, H, W], weight [in, out / groups, KH, KW],
 * optional bias [out] -> [N, out, (H - 1) sh - 2 ph + dh (KH - 1) + oph + 1, likewise W]. */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  checkOptions('convTranspose2d', opts, [...CONV2D_OPTIONS, 'outputPadding']);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`convTranspose2d: groups must be a positive integer, got ${groups}`);
  const attrs = {
    stride: pair('convTranspose2d', 'stride', opts.stride ?? 1, 1),
    padding: pair('convTranspose2d', 'padding', opts.padding ?? 0, 0),
    outputPadding: pair('convTranspose2d', 'outputPadding', opts.outputPadding ?? 0, 0),
    dilation: pair('convTranspose2d', 'dilation', opts.dilation ?? 1, 1),
    groups,
  };
  return apply(convTransposeDefs.convTranspose2d, bias ? [x, weight, bias] : [x, weight], attrs);
}

/** 1-D transposed convolution on [N, in, L] with weight [in, out / groups, K], by the 2-D op on a height of 1. */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: { stride?: number; padding?: number; outputPadding?: number; dilation?: number; groups?: number } = {}): Tensor {
  checkOptions('convTranspose1d', opts, [...CONV2D_OPTIONS, 'outputPadding']);
  if (x.ndim !== 3 || weight.ndim !== 3) throw new Error(`convTranspose1d: expects input [N, C, L] and weight [in, out / groups, K], got ${shapeStr(x.shape)} and ${shapeStr(weight.shape)}`);
  const y = convTranspose2d(reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]), reshape(weight, [...weight.shape.slice(0, 2), 1, weight.shape[2]]), bias, {
    stride: [1, opts.stride ?? 1], padding: [0, opts.padding ?? 0], outputPadding: [0, opts.outputPadding ?? 0], dilation: [1, opts.dilation ?? 1], groups: opts.groups,
  });
  return reshape(y, [y.shape[0], y.shape[1], y.shape[3]]);
}
