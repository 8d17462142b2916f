// 2-D convolution, NCHW, PyTorch's semantics and weight layout [out, in / groups, KH, KW].
// Kernels: conv2d_blocked.wgsl (direct, register-blocked: CPU-like adapters) or conv2d_tiled.wgsl (implicit
// GEMM with workgroup tiles: GPUs) forward; conv2d_backward_input.wgsl and conv2d_backward_weight.wgsl
// backward. All read the input in place: no im2col buffer is ever written.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel, joinParams } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr, sizeOf } from '../shape.js';
import { adapterInfo } from '../gpu.js';
import { kernelVariant } from '../variants.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { sum } from './reduce.js';
import { expand, permute, reshape } from './movement.js';
import { zeros } from '../creation.js';
import { checkOptions } from '../options.js';
import conv2dBlockedWgsl from '../../shaders/conv2d_blocked.wgsl';
import conv2dBlock8x8Wgsl from '../../shaders/conv2d_block8x8.wgsl';
import conv2dRowsWgsl from '../../shaders/conv2d_rows.wgsl';
import conv2dTiledWgsl from '../../shaders/conv2d_tiled.wgsl';
import conv2dBackwardWeightRowsWgsl from '../../shaders/conv2d_backward_weight_rows.wgsl';
import conv2dWeightFlipWgsl from '../../shaders/conv2d_weight_flip.wgsl';
import conv2dBackwardInputWgsl from '../../shaders/conv2d_backward_input.wgsl';
import conv2dBackwardWeightWgsl from '../../shaders/conv2d_backward_weight.wgsl';
import { composedConv, recompute } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface ConvAttrs {
  // NCHW, weight [out, in / groups, KH, KW]; inputs x, weight and an optional bias
  conv2d: { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number };
}
declare module './def.js' {
  interface Attrs extends ConvAttrs {}
}

const GEOMETRY = { N: 'u32', C: 'u32', H: 'u32', W: 'u32', O: 'u32', OH: 'u32', OW: 'u32', KH: 'u32', KW: 'u32', sh: 'u32', sw: 'u32', ph: 'u32', pw: 'u32', dh: 'u32', dw: 'u32', G: 'u32' } as const;
const CONV_BLOCKED = /* @__PURE__ */ defineKernel(conv2dBlockedWgsl, /* @__PURE__ */ joinParams(GEOMETRY, { z0: 'u32' }), { X: 'read f32', Wt: 'read f32', Bias: 'read f32', Y: 'read_write f32' });
const CONV_BLOCK8 = /* @__PURE__ */ defineKernel(conv2dBlock8x8Wgsl, GEOMETRY, { X: 'read f32', WT: 'read vec4<f32>', Bias: 'read f32', Y: 'read_write f32' });
const CONV_ROWS = /* @__PURE__ */ defineKernel(conv2dRowsWgsl, GEOMETRY, { X: 'read f32', WT: 'read vec4<f32>', Bias: 'read f32', Y: 'read_write f32' });
const CONV_TILED = /* @__PURE__ */ defineKernel(conv2dTiledWgsl, /* @__PURE__ */ joinParams(GEOMETRY, { z0: 'u32' }), { X: 'read f32', Wt: 'read f32', Bias: 'read f32', Y: 'read_write f32' });
const CONV_DW_ROWS = /* @__PURE__ */ defineKernel(conv2dBackwardWeightRowsWgsl, /* @__PURE__ */ joinParams(GEOMETRY, { rows_per_chunk: 'u32' }), { GT: 'read vec4<f32>', X: 'read f32', DW: 'read_write f32' });
const CONV_WEIGHT_FLIP = /* @__PURE__ */ defineKernel(conv2dWeightFlipWgsl, { O: 'u32', Cg: 'u32', KH: 'u32', KW: 'u32', G: 'u32' }, { Wt: 'read f32', WF: 'read_write f32' });
const CONV_DX = /* @__PURE__ */ defineKernel(conv2dBackwardInputWgsl, /* @__PURE__ */ joinParams(GEOMETRY, { z0: 'u32' }), { Gy: 'read f32', Wt: 'read f32', DX: 'read_write f32' });
const CONV_DW = /* @__PURE__ */ defineKernel(conv2dBackwardWeightWgsl, /* @__PURE__ */ joinParams(GEOMETRY, { rows_per_chunk: 'u32' }), { Gy: 'read f32', X: 'read f32', DW: 'read_write f32' });

export type Pair = number | [number, number];

interface Geometry {
  N: number; C: number; H: number; W: number; O: number; OH: number; OW: number; KH: number; KW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; G: number;
}

/** The output extent of a convolution or pooling window along one axis (PyTorch's formula). */
export function outExtent(size: number, kernel: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

function geometry(x: readonly number[], w: readonly number[], a: Attrs['conv2d']): Geometry {
  const [N, C, H, W] = x;
  const [O, , KH, KW] = w;
  const [sh, sw] = a.stride;
  const [ph, pw] = a.padding;
  const [dh, dw] = a.dilation;
  return { N, C, H, W, O, OH: outExtent(H, KH, sh, ph, dh), OW: outExtent(W, KW, sw, pw, dw), KH, KW, sh, sw, ph, pw, dh, dw, G: a.groups };
}

/** Channels per invocation: the largest of 8, 4, 2, 1 that divides the group's channels (a block never spans
 * two groups, which read different inputs). */
const channelBlock = (perGroup: number) => [8, 4, 2, 1].find((b) => perGroup % b === 0)!;
const workgroup = () => (adapterInfo().software ? 16 : 64);

/** The register block of the direct kernels as defines: CB vec4 accumulators a0.. as named variables (a
 * dynamically indexed local array can end up in memory: 1.7x slower here), `MAD` adding `xv` times the
 * weight at Wt[wi + j*st] to each, and `ACCS` the accumulators as an array for the store loop. */
function blockDefines(CB: number) {
  const js = [...Array(CB).keys()];
  return { CB, ACC: js.map((j) => `var a${j}: vec4<f32>;`).join(' '), MAD: js.map((j) => `a${j} += xv * Wt[wi + ${j}u * st];`).join(' '), ACCS: `array<vec4<f32>, ${CB}>(${js.map((j) => `a${j}`).join(', ')})` };
}

/** The shape class of a convolution for variant choice and autotune, by its GEMM size Og x K x P. */
export function convClass(g: Pick<Geometry, 'O' | 'G' | 'C' | 'KH' | 'KW' | 'OH' | 'OW'>): string {
  return (g.O / g.G) * (g.C / g.G) * g.KH * g.KW * g.OH * g.OW <= 1 << 20 ? 'small' : 'large';
}

/** The 8x8 register-blocked direct kernels (conv2d_rows for stride-1 rows up to 5 wide, else conv2d_block8x8)
 * on a weight already transposed to [Cg*KH*KW, O]; needs a multiple of 8 output channels per group. */
function block8x8(g: Geometry, x: Tensor, wt: Tensor, b: Tensor | null | undefined, y: Tensor): void {
  const rows = g.KW <= 5 && g.sw === 1 && g.dw === 1;
  const WG = workgroup();
  const groups = Math.ceil((g.N * g.OH * Math.ceil(g.OW / 8)) / WG);
  const gx = Math.min(groups, 65535);
  if (rows) rt().run(CONV_ROWS, { WG, BIAS: String(!!b), KW: g.KW }, { X: view(x), WT: view(wt), Bias: view(b ?? x), Y: view(y) }, g, [gx, g.O / 8, Math.ceil(groups / gx)]);
  else rt().run(CONV_BLOCK8, { WG, BIAS: String(!!b) }, { X: view(x), WT: view(wt), Bias: view(b ?? x), Y: view(y) }, g, [gx, g.O / 8, Math.ceil(groups / gx)]);
}

/** conv2d's input gradient for an input of shape xShape (also convTranspose2d's forward, whose output
 * padding is a larger xShape whose last rows only some taps reach). */
export function convInputGrad(gy: Tensor, w: Tensor, xShape: readonly number[], a: Attrs['conv2d']): Tensor {
  const g = { ...geometry(xShape, w.shape, a), OH: gy.shape[2], OW: gy.shape[3] };
  const r = rt();
  const WG = workgroup();
  // No output channels: no tap reaches the input (and an empty weight cannot be bound as vec4)
  if (!w.size && sizeOf(xShape)) return zeros(xShape);
  const dx = empty(xShape);
  if (!dx.size) return dx;
  // With stride 1 the input gradient is a convolution of the output gradient (flipped, channel-swapped
  // weight; padding dilation*(K-1) - padding): the fast forward kernels compute it when they apply.
  const flipped = { ...g, C: g.O, H: g.OH, W: g.OW, O: g.C, OH: g.H, OW: g.W, ph: g.dh * (g.KH - 1) - g.ph, pw: g.dw * (g.KW - 1) - g.pw };
  if (g.sh === 1 && g.sw === 1 && flipped.ph >= 0 && flipped.pw >= 0 && (g.C / g.G) % 8 === 0 && kernelVariant('conv', convClass(g)) !== 'tiled') {
    const wf = empty([(g.O / g.G) * g.KH * g.KW, g.C]);
    r.run(CONV_WEIGHT_FLIP, {}, { Wt: view(w), WF: view(wf) }, { O: g.O, Cg: g.C / g.G, KH: g.KH, KW: g.KW, G: g.G }, r.groups1d(wf.size, 64));
    block8x8(flipped, gy, wf, null, dx);
    wf.dispose();
  } else {
    const CB = channelBlock(g.C / g.G);
    r.runBatches(CONV_DX, { CB, WG }, { Gy: view(gy), Wt: view(w), DX: view(dx) }, g, [Math.ceil((g.H * g.W) / 4 / WG), g.C / CB, g.N]);
  }
  return dx;
}

/** conv2d's weight gradient for a weight of shape wShape (also convTranspose2d's, with the roles of input and
 * output swapped). */
export function convWeightGrad(gy: Tensor, x: Tensor, wShape: readonly number[], a: Attrs['conv2d']): Tensor {
  const g = { ...geometry(x.shape, wShape, a), OH: gy.shape[2], OW: gy.shape[3] };
  const r = rt();
  const WG = workgroup();
  // Split the N*OH output rows into chunks so that enough invocations run (a few per core on CPU-like
  // adapters, tens of thousands on GPUs); the chunks' partial sums are added by the sum kernel.
  const K = (g.C / g.G) * g.KH * g.KW;
  const lanes = g.KW <= 3 ? 4 : 2; // input channels per invocation of the sliding-window kernel
  const rowsKernel = g.KW <= 5 && g.sw === 1 && g.dw === 1 && (g.O / g.G) % 8 === 0 && (g.C / g.G) % lanes === 0;
  const CB = channelBlock(g.O / g.G);
  const blocks = rowsKernel ? ((g.C / g.G / lanes) * g.KH * g.O) / 8 : Math.ceil(K / 4) * (g.O / CB);
  const rows = g.N * g.OH;
  const target = adapterInfo().software ? 1024 : 32768;
  const perChunk = Math.max(1, Math.ceil(rows / Math.max(1, Math.ceil(target / blocks))));
  const S = Math.ceil(rows / perChunk);
  const partial = empty(S === 1 ? wShape : [S, ...wShape]);
  if (rowsKernel) {
    const gt = permute(gy, [0, 2, 3, 1]); // [N, OH, OW, O]: 8 channels' gradients as two vec4 loads
    r.run(CONV_DW_ROWS, { WG, KW: g.KW, LANES: lanes }, { GT: view(gt), X: view(x), DW: view(partial) }, { ...g, rows_per_chunk: perChunk }, [Math.ceil(((g.C / g.G / lanes) * g.KH) / WG), g.O / 8, S]);
    gt.dispose();
  } else r.run(CONV_DW, { CB, WG }, { Gy: view(gy), X: view(x), DW: view(partial) }, { ...g, rows_per_chunk: perChunk }, [Math.ceil(K / 4 / WG), g.O / CB, S]);
  if (S === 1) return partial;
  const dw = sum(partial, 0);
  partial.dispose();
  return dw;
}

export const convDefs: Ops<keyof ConvAttrs> = /* @__PURE__ */ defineOps(() => ({
  conv2d: {
    infer([x, w, b], a) {
      checkDType('conv2d', x, 'f32', 'input');
      checkDType('conv2d', w, 'f32', 'weight');
      if (b) checkDType('conv2d', b, 'f32', 'bias');
      if (x.ndim !== 4) throw new Error(`conv2d: input must be 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
      if (w.ndim !== 4) throw new Error(`conv2d: weight must be 4-D [out, in / groups, KH, KW], got ${shapeStr(w.shape)}`);
      const { groups } = a;
      const [, C, H, W] = x.shape;
      const [O, Cg, KH, KW] = w.shape;
      if (C % groups) throw new Error(`conv2d: groups (${groups}) must divide the input channels (${C})`);
      if (O % groups) throw new Error(`conv2d: groups (${groups}) must divide the output channels (${O})`);
      if (Cg * groups !== C) throw new Error(`conv2d: weight ${shapeStr(w.shape)} expects ${Cg * groups} input channels (${Cg} per group x ${groups} groups), got input ${shapeStr(x.shape)} with ${C}`);
      if (b && (b.ndim !== 1 || b.shape[0] !== O)) throw new Error(`conv2d: bias must be [${O}] for weight ${shapeStr(w.shape)}, got ${shapeStr(b.shape)}`);
      const g = geometry(x.shape, w.shape, a);
      if (g.OH < 1 || g.OW < 1) {
        throw new Error(`conv2d: kernel ${KH}x${KW} (dilation ${g.dh}x${g.dw}) is larger than the padded input ${H + 2 * g.ph}x${W + 2 * g.pw} (input ${shapeStr(x.shape)}, padding ${g.ph}x${g.pw})`);
      }
      return { shape: [g.N, O, g.OH, g.OW], dtype: 'f32' };
    },
    forward([x, w, b], a, save) {
      const g = geometry(x.shape, w.shape, a);
      const y = empty([g.N, g.O, g.OH, g.OW]);
      save(x);
      save(w);
      if (!y.size) return y;
      if (!w.size) {
        // No input channels: every output is its bias (or 0); an empty weight cannot be bound as vec4
        y.dispose();
        if (!b) return zeros([g.N, g.O, g.OH, g.OW]);
        const b4 = reshape(b, [1, g.O, 1, 1]);
        const out = expand(b4, [g.N, g.O, g.OH, g.OW]);
        b4.dispose();
        return out;
      }
      const r = rt();
      const bindings = { X: view(x), Wt: view(w), Bias: view(b ?? x), Y: view(y) };
      const tiled = kernelVariant('conv', convClass(g)) === 'tiled';
      if (!tiled && (g.O / g.G) % 8 === 0) {
        // the 8x8 register block reads the weight transposed to [Cg*KH*KW, O] (a small copy)
        const wt = permute(w, [1, 2, 3, 0]);
        block8x8(g, x, wt, b, y);
        wt.dispose();
      } else if (tiled) {
        r.runBatches(CONV_TILED, { BIAS: String(!!b) }, bindings, g, [Math.ceil((g.OH * g.OW) / 64), Math.ceil(g.O / g.G / 64), g.N * g.G]);
      } else {
        const CB = channelBlock(g.O / g.G);
        const WG = workgroup();
        r.runBatches(CONV_BLOCKED, { ...blockDefines(CB), WG, BIAS: String(!!b) }, bindings, g, [Math.ceil((g.OH * Math.ceil(g.OW / 4)) / WG), g.O / CB, g.N]);
      }
      return y;
    },
    backward(gy, [x, w], a, [ix, iw, ib]) {
      const dx = ix.requiresGrad ? convInputGrad(gy, w, x.shape, a) : null;
      const dw = iw.requiresGrad ? convWeightGrad(gy, x, w.shape, a) : null;
      const db = ib?.requiresGrad ? sum(gy, [0, 2, 3]) : null;
      return ib ? [dx, dw, db] : [dx, dw];
    },
    reference([x, w, b], a) {
      const g = geometry(x.shape, w.shape, a);
      const { N, C, H, W, O, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, G } = g;
      const Cg = C / G, Og = O / G;
      const out = f64([N, O, OH, OW]);
      for (let n = 0; n < N; n++)
        for (let o = 0; o < O; o++) {
          const grp = Math.floor(o / Og);
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let s = b ? b.data[o] : 0;
              for (let c = 0; c < Cg; c++)
                for (let kh = 0; kh < KH; kh++) {
                  const ih = oh * sh - ph + kh * dh;
                  if (ih < 0 || ih >= H) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const iw = ow * sw - pw + kw * dw;
                    if (iw < 0 || iw >= W) continue;
                    s += x.data[((n * C + grp * Cg + c) * H + ih) * W + iw] * w.data[((o * Cg + c) * KH + kh) * KW + kw];
                  }
                }
              out.data[((n * O + o) * OH + oh) * OW + ow] = s;
            }
        }
      return out;
    },
  } satisfies OpDef<Attrs['conv2d']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  conv2d: recompute(([x, w, b], attrs) => composedConv(x, w, b ?? null, attrs)),
}));

/** A number or [h, w] as a validated pair of integers (each at least `min`). */
export function pair(op: string, what: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN, NaN];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) throw new Error(`${op}: ${what} must be an integer >= ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  return p;
}

/** The keys of Conv2dOptions, for checkOptions. */
export const CONV2D_OPTIONS = ['stride', 'padding', 'dilation', 'groups'] as const;

export interface Conv2dOptions {
  stride?: Pair;
  /** Zeros added on each side, or 'valid' (none) or 'same' (output the input's size; stride 1 only). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch's conv2d): x [N, C, H, W], weight [out, C / groups, KH, KW],
 * optional bias [out] -> [N, out, OH, OW] with OH = floor((H + 2*ph - dh*(KH - 1) - 1) / sh) + 1.
 * Zero padding; groups = C is a depthwise convolution.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', opts, CONV2D_OPTIONS);
  const stride = pair('conv2d', 'stride', opts.stride ?? 1, 1);
  const dilation = pair('conv2d', 'dilation', opts.dilation ?? 1, 1);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${groups}`);
  let padding: [number, number];
  if (opts.padding === 'valid') padding = [0, 0];
  else if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`conv2d: padding 'same' needs stride 1, got [${stride.join(', ')}]`);
    const total = weight.shape.slice(2).map((k, i) => dilation[i] * (k - 1));
    if (total.some((t) => t % 2)) throw new Error(`conv2d: padding 'same' with an even kernel ${shapeStr(weight.shape.slice(2))} would pad unevenly; pad explicitly`);
    padding = [total[0] / 2, total[1] / 2];
  } else padding = pair('conv2d', 'padding', opts.padding ?? 0, 0);
  return apply(convDefs.conv2d, bias ? [x, weight, bias] : [x, weight], { stride, padding, dilation, groups });
}
