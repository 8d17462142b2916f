// Resizing along the last one or two axes: interpolate (PyTorch's F.interpolate: nearest, nearest-exact,
// linear, bilinear, bicubic, alignCorners) and resize (ONNX Resize: nearest / linear / cubic with every
// coordinate transformation (tf_crop_and_resize's extrapolation added after the kernel), the four nearest
// modes, cubic_coeff_a and exclude_outside). One primitive: the host turns mode and convention into per-axis taps (input index and
// weight of each output position's nearest 1, 2 or 4 inputs, edges clamped), and resize.wgsl sums them;
// the backward is the same op's adjoint (resize_backward.wgsl, a gather over the taps transposed), whose
// own backward is the forward again.
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { fromHost } from '../creation.js';
import { add } from './binary.js';
import { reshape } from './movement.js';
import { adaptiveAvgPool2d } from './pooling.js';
import { checkOptions } from '../options.js';
import resizeWgsl from '../../shaders/resize.wgsl';
import resizeBackwardWgsl from '../../shaders/resize_backward.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface ResizeAttrs {
  /** The last from.length (1 or 2) axes from `from` to `to` by per-axis taps; adjoint: the transpose (to back
   * to from), which is the backward. */
  resize: { from: number[]; to: number[]; scale: number[]; mode: 'nearest' | 'linear' | 'cubic'; coord: ResizeCoord; nearest: NearestMode; cubicA: number; excludeOutside: boolean; roi: number[]; adjoint: boolean };
}
declare module './def.js' {
  interface Attrs extends ResizeAttrs {}
}

const GEOMETRY = { planes: 'u32', H: 'u32', W: 'u32', OH: 'u32', OW: 'u32', KH: 'u32', KW: 'u32' } as const;
const RESIZE = /* @__PURE__ */ defineKernel(resizeWgsl, GEOMETRY, { X: 'read f32', TH: 'read u32', TW: 'read u32', Y: 'read_write f32' });
const RESIZE_BACKWARD = /* @__PURE__ */ defineKernel(resizeBackwardWgsl, GEOMETRY, { G: 'read f32', BH: 'read u32', BW: 'read u32', DX: 'read_write f32' });

export type ResizeCoord = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';
const COORDS: readonly ResizeCoord[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST: readonly NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const MODES = ['nearest', 'linear', 'cubic'] as const;

/** Per output position along one axis: K input indices (clamped to [0, n)) and their weights, in float64. */
interface Taps {
  K: number;
  idx: number[];
  w: number[];
  /** Output positions whose coordinate falls outside the input (tf_crop_and_resize only). */
  outside: number[];
}

/** Where output position o samples the input (ONNX's coordinate transformations; scale = out / in unless
 * given). align_corners spans scale * in positions, as ONNX's reference (out itself when sizes are given). */
function source(o: number, n: number, out: number, scale: number, coord: ResizeCoord, roi: readonly number[]): number {
  switch (coord) {
    case 'tf_crop_and_resize': {
      const [start, end] = roi;
      return out === 1 ? ((end - start) * (n - 1)) / 2 + start * (n - 1) : start * (n - 1) + (o * (end - start) * (n - 1)) / (out - 1);
    }
    case 'align_corners':
      return out === 1 || scale * n === 1 ? 0 : (o * (n - 1)) / (scale * n - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
    case 'pytorch_half_pixel':
      return out === 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    default:
      return (o + 0.5) / scale - 0.5;
  }
}

/** Cubic convolution weights (Keys, coefficient A) of the taps at floor(x) - 1 .. floor(x) + 2, t = x - floor(x). */
function cubic(t: number, A: number): number[] {
  const far = (d: number) => ((A * d - 5 * A) * d + 8 * A) * d - 4 * A; // 1 <= d < 2
  const near = (d: number) => ((A + 2) * d - (A + 3)) * d * d + 1; // 0 <= d <= 1
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

function axisTaps(n: number, out: number, scale: number, a: Attrs['resize'], roi: readonly number[]): Taps {
  const K = a.mode === 'nearest' ? 1 : a.mode === 'linear' ? 2 : 4;
  const idx: number[] = [];
  const w: number[] = [];
  const outside: number[] = [];
  const clampI = (i: number) => Math.min(Math.max(i, 0), n - 1);
  for (let o = 0; o < out; o++) {
    let x = source(o, n, out, scale, a.coord, roi);
    if (a.coord === 'tf_crop_and_resize' && (x < 0 || x > n - 1)) {
      // outside the input: no taps (weight 0); the extrapolation value is added after the kernel
      outside.push(o);
      idx.push(...Array(K).fill(0));
      w.push(...Array(K).fill(0));
      continue;
    }
    // a coordinate within rounding of a whole number is that number (o / scale computed in float64)
    if (Math.abs(x - Math.round(x)) < 1e-9) x = Math.round(x);
    const x0 = Math.floor(x);
    const t = x - x0;
    if (a.mode === 'nearest') {
      const half = Math.abs(t - 0.5) < 1e-9;
      const up = t === 0 ? false : a.nearest === 'ceil' ? true : a.nearest === 'floor' ? false : half ? a.nearest === 'round_prefer_ceil' : t > 0.5;
      idx.push(clampI(x0 + (up ? 1 : 0)));
      w.push(1);
    } else if (a.mode === 'linear') {
      idx.push(clampI(x0), clampI(x0 + 1));
      w.push(1 - t, t);
    } else {
      const ws = cubic(t, a.cubicA);
      const at = [x0 - 1, x0, x0 + 1, x0 + 2];
      if (a.excludeOutside) {
        at.forEach((i, j) => { if (i < 0 || i >= n) ws[j] = 0; });
        const total = ws.reduce((s, v) => s + v, 0);
        ws.forEach((v, j) => (ws[j] = v / total));
      }
      idx.push(...at.map(clampI));
      w.push(...ws);
    }
  }
  return { K, idx, w, outside };
}

/** The identity along an axis that is not resized (1-D inputs: H = OH = 1). */
const IDENTITY: Taps = { K: 1, idx: [0], w: [1], outside: [] };

/** Both axes' taps ([H, W] as the kernels see them). */
function plan(a: Attrs['resize']): { H: number; W: number; OH: number; OW: number; th: Taps; tw: Taps } {
  const two = a.from.length === 2;
  const [H, W] = two ? a.from : [1, a.from[0]];
  const [OH, OW] = two ? a.to : [1, a.to[0]];
  const S = a.from.length;
  const th = two ? axisTaps(H, OH, a.scale[0], a, [a.roi[0], a.roi[S]]) : IDENTITY;
  const tw = axisTaps(W, OW, a.scale[two ? 1 : 0], a, [a.roi[S - 1], a.roi[2 * S - 1]]);
  return { H, W, OH, OW, th, tw };
}

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
const bitsOf = (v: number) => ((f32Bits[0] = v), u32Bits[0]);

/** Forward table: per output position its K indices then its K weights (f32 bits). */
function forwardTable(t: Taps): Uint32Array {
  const out = new Uint32Array(2 * t.idx.length);
  for (let o = 0; o < t.idx.length / t.K; o++)
    for (let k = 0; k < t.K; k++) {
      out[2 * o * t.K + k] = t.idx[o * t.K + k];
      out[2 * o * t.K + t.K + k] = bitsOf(t.w[o * t.K + k]);
    }
  return out;
}

/** The taps transposed, per input index: the (output, summed weight) pairs in increasing output order. */
function transposed(t: Taps, n: number): [number, number][][] {
  const per: [number, number][][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < t.idx.length; e++) {
    const o = Math.floor(e / t.K);
    const list = per[t.idx[e]];
    const last = list[list.length - 1];
    if (last && last[0] === o) last[1] += t.w[e];
    else list.push([o, t.w[e]]);
  }
  return per;
}

/** Backward table: offsets [n + 1], then (output, weight bits) pairs grouped by input index. */
function backwardTable(t: Taps, n: number): Uint32Array {
  const per = transposed(t, n);
  const total = per.reduce((s, l) => s + l.length, 0);
  const out = new Uint32Array(n + 1 + 2 * total);
  let at = 0;
  per.forEach((list, i) => {
    out[i] = at;
    for (const [o, w] of list) {
      out[n + 1 + 2 * at] = o;
      out[n + 1 + 2 * at + 1] = bitsOf(w);
      at++;
    }
  });
  out[n] = at;
  return out;
}

/** A constant table on the GPU (an i32 tensor holding the words), disposed by the caller after dispatch. */
function upload(words: Uint32Array): Tensor {
  const t = empty([words.length], 'i32');
  rt().upload(t.storage().view(words.length * 4), words);
  return t;
}

const spatial = (shape: readonly number[], S: number) => shape.slice(shape.length - S);

export const resizeDefs: Ops<keyof ResizeAttrs> = /* @__PURE__ */ defineOps(() => ({
  resize: {
    infer([x], a) {
      checkDType('resize', x, 'f32');
      const S = a.from.length;
      const [inAxes, outAxes] = a.adjoint ? [a.to, a.from] : [a.from, a.to];
      if (x.ndim < S || spatial(x.shape, S).some((d, i) => d !== inAxes[i])) throw new Error(`resize: input ${shapeStr(x.shape)} does not end in ${shapeStr(inAxes)}`);
      return { shape: [...x.shape.slice(0, x.ndim - S), ...outAxes], dtype: 'f32' };
    },
    forward([x], a) {
      const S = a.from.length;
      const y = empty([...x.shape.slice(0, x.ndim - S), ...(a.adjoint ? a.from : a.to)]);
      if (!y.size || !x.size) return y;
      const p = plan(a);
      const planes = y.size / (a.adjoint ? p.H * p.W : p.OH * p.OW);
      const geometry = { planes, H: p.H, W: p.W, OH: p.OH, OW: p.OW, KH: p.th.K, KW: p.tw.K };
      const r = rt();
      if (!a.adjoint) {
        const [th, tw] = [upload(forwardTable(p.th)), upload(forwardTable(p.tw))];
        r.run(RESIZE, {}, { X: view(x), TH: view(th), TW: view(tw), Y: view(y) }, geometry, r.groups1d(y.size, 64));
        th.dispose();
        tw.dispose();
      } else {
        const [bh, bw] = [upload(backwardTable(p.th, p.H)), upload(backwardTable(p.tw, p.W))];
        r.run(RESIZE_BACKWARD, {}, { G: view(x), BH: view(bh), BW: view(bw), DX: view(y) }, geometry, r.groups1d(y.size, 64));
        bh.dispose();
        bw.dispose();
      }
      return y;
    },
    backward: (g, _s, a) => [apply(resizeDefs.resize, [g], { ...a, adjoint: !a.adjoint })],
    reference([x], a) {
      const S = a.from.length;
      const p = plan(a);
      const lead = x.shape.slice(0, x.shape.length - S);
      const out = f64([...lead, ...(a.adjoint ? a.from : a.to)]);
      const planes = lead.reduce((s, d) => s * d, 1);
      const [xs, ys] = a.adjoint ? [p.OH * p.OW, p.H * p.W] : [p.H * p.W, p.OH * p.OW];
      for (let pl = 0; pl < planes; pl++)
        for (let oh = 0; oh < p.OH; oh++)
          for (let a1 = 0; a1 < p.th.K; a1++)
            for (let ow = 0; ow < p.OW; ow++)
              for (let b1 = 0; b1 < p.tw.K; b1++) {
                const w = p.th.w[oh * p.th.K + a1] * p.tw.w[ow * p.tw.K + b1];
                const i = p.th.idx[oh * p.th.K + a1] * p.W + p.tw.idx[ow * p.tw.K + b1];
                const o = oh * p.OW + ow;
                if (a.adjoint) out.data[pl * ys + i] += w * x.data[pl * xs + o];
                else out.data[pl * ys + o] += w * x.data[pl * xs + i];
              }
      return out;
    },
  } satisfies OpDef<Attrs['resize']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  resize: { ops: true }, // the adjoint resize of g (linear: its own backward is the forward again)
}));

export interface ResizeOptions {
  /** Output extents of the last one or two axes (or give scales). */
  size?: readonly number[];
  /** Per resized axis: output extent floor(in * scale), and the scale the coordinates use. */
  scales?: readonly number[];
  mode?: 'nearest' | 'linear' | 'cubic';
  /** ONNX's coordinate_transformation_mode (default half_pixel). */
  coordinateTransformationMode?: ResizeCoord;
  /** ONNX's nearest_mode (default round_prefer_floor). */
  nearestMode?: NearestMode;
  /** ONNX's cubic_coeff_a (default -0.75, PyTorch's; TensorFlow's -0.5). */
  cubicCoeffA?: number;
  /** Cubic taps outside the input weigh 0, the others renormalized (ONNX's exclude_outside). */
  excludeOutside?: boolean;
  /** tf_crop_and_resize's region: the starts then the ends (fractions of the input) of the resized axes. */
  roi?: readonly number[];
  /** tf_crop_and_resize's value where the region reaches outside the input (default 0). */
  extrapolationValue?: number;
}

/** ONNX Resize over the last one or two axes of x (give size or scales for those axes). */
export function resize(x: Tensor, opts: ResizeOptions): Tensor {
  checkOptions('resize', opts, ['size', 'scales', 'mode', 'coordinateTransformationMode', 'nearestMode', 'cubicCoeffA', 'excludeOutside', 'roi', 'extrapolationValue']);
  const { mode = 'nearest', coordinateTransformationMode: coord = 'half_pixel', nearestMode: nearest = 'round_prefer_floor', cubicCoeffA: cubicA = -0.75, excludeOutside = false } = opts;
  if (!MODES.includes(mode)) throw new Error(`resize: mode must be one of ${MODES.join(', ')}, got '${mode}'`);
  if (!COORDS.includes(coord)) throw new Error(`resize: coordinateTransformationMode must be one of ${COORDS.join(', ')}, got '${coord}'`);
  if (!NEAREST.includes(nearest)) throw new Error(`resize: nearestMode must be one of ${NEAREST.join(', ')}, got '${nearest}'`);
  if (!Number.isFinite(cubicA)) throw new Error(`resize: cubicCoeffA must be finite, got ${cubicA}`);
  const g = geometry('resize', x, opts.size, opts.scales);
  const S = g.from.length;
  const roi = opts.roi ? [...opts.roi] : [...Array(S).fill(0), ...Array(S).fill(1)];
  if (roi.length !== 2 * S || roi.some((v) => !Number.isFinite(v))) throw new Error(`resize: roi must hold ${2 * S} finite numbers (the starts, then the ends, of the resized axes), got [${roi.join(', ')}]`);
  const extrapolation = opts.extrapolationValue ?? 0;
  if (!Number.isFinite(extrapolation)) throw new Error(`resize: extrapolationValue must be finite, got ${extrapolation}`);
  const attrs = { ...g, mode, coord, nearest, cubicA, excludeOutside, roi, adjoint: false };
  const y = apply(resizeDefs.resize, [x], attrs);
  if (coord !== 'tf_crop_and_resize' || !extrapolation) return y;
  // positions whose coordinate is outside the input on either axis take the extrapolation value
  const { OH, OW, th, tw } = plan(attrs);
  const [rows, cols] = [new Set(th.outside), new Set(tw.outside)];
  if (!rows.size && !cols.size) return y;
  const fill = fromHost(Array.from({ length: OH * OW }, (_, i) => (rows.has(Math.floor(i / OW)) || cols.has(i % OW) ? extrapolation : 0)), S === 2 ? [OH, OW] : [OW], 'f32');
  const out = add(y, fill);
  y.dispose();
  fill.dispose();
  return out;
}

/** Output extents and coordinate scales of the last size.length (or scales.length) axes, validated. */
function geometry(op: string, x: Tensor, size: readonly number[] | undefined, scales: readonly number[] | undefined) {
  if ((size === undefined) === (scales === undefined)) throw new Error(`${op}: give exactly one of size and ${op === 'resize' ? 'scales' : 'scaleFactor'}`);
  const S = (size ?? scales)!.length;
  if (S < 1 || S > 2 || x.ndim < S) throw new Error(`${op}: resizes the last 1 or 2 axes; got ${S} ${size ? 'sizes' : 'scales'} for input ${shapeStr(x.shape)}`);
  const from = x.shape.slice(x.ndim - S);
  if (size) {
    size.forEach((d) => { if (!Number.isInteger(d) || d < 1) throw new Error(`${op}: output sizes must be positive integers, got ${shapeStr(size)}`); });
    return { from, to: [...size], scale: size.map((d, i) => d / from[i]) };
  }
  scales!.forEach((s) => { if (!(s > 0) || !Number.isFinite(s)) throw new Error(`${op}: scales must be positive and finite, got [${scales!.join(', ')}]`); });
  const to = from.map((d, i) => Math.floor(d * scales![i] + 1e-9)); // floor(in * scale), robust to f32 scales like 2.0000002
  if (to.some((d) => d < 1)) throw new Error(`${op}: scales [${scales!.join(', ')}] make an empty output from ${shapeStr(from)}`);
  return { from, to, scale: [...scales!] };
}

export interface InterpolateOptions {
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
  mode?: 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'area';
  alignCorners?: boolean;
}

/** PyTorch's F.interpolate for [N, C, L] ('nearest', 'nearest-exact', 'linear') and [N, C, H, W] ('nearest',
 * 'nearest-exact', 'bilinear', 'bicubic'); 'area' on either is adaptive average pooling to the size; a given
 * scaleFactor is the one the coordinates use (PyTorch's default recompute_scale_factor). Gradients to x. */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  checkOptions('interpolate', opts, ['size', 'scaleFactor', 'mode', 'alignCorners']);
  const { mode = 'nearest', alignCorners } = opts;
  const S = x.ndim - 2;
  const wants = { linear: 1, bilinear: 2, bicubic: 2 } as Record<string, number>;
  if (!['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'area'].includes(mode)) throw new Error(`interpolate: mode must be 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic' or 'area', got '${mode}'`);
  if (S !== 1 && S !== 2) throw new Error(`interpolate: input must be 3-D [N, C, L] or 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
  if (wants[mode] && wants[mode] !== S) throw new Error(`interpolate: mode '${mode}' needs a ${wants[mode] + 2}-D input, got ${shapeStr(x.shape)}`);
  if (alignCorners !== undefined && !wants[mode]) throw new Error(`interpolate: alignCorners applies only to linear, bilinear and bicubic modes, not '${mode}'`);
  const each = (v: number | readonly number[] | undefined) => (v === undefined ? undefined : typeof v === 'number' ? Array(S).fill(v) : v);
  const size = each(opts.size);
  const scales = each(opts.scaleFactor);
  const given = size ?? scales;
  if (given && given.length !== S) throw new Error(`interpolate: expected ${S} ${size ? 'sizes' : 'scale factors'} for input ${shapeStr(x.shape)}, got ${given.length}`);
  const g = geometry('interpolate', x, size, scales);
  if (mode === 'area') {
    // adaptive average pooling (on a height of 1 for [N, C, L])
    if (S === 2) return adaptiveAvgPool2d(x, [g.to[0], g.to[1]]);
    const x4 = reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
    const y4 = adaptiveAvgPool2d(x4, [1, g.to[0]]);
    const out = reshape(y4, [x.shape[0], x.shape[1], g.to[0]]);
    x4.dispose();
    y4.dispose();
    return out;
  }
  if (alignCorners) g.scale = g.to.map((d, i) => d / g.from[i]); // PyTorch's corners: the integer sizes
  const nearest = mode === 'nearest' || mode === 'nearest-exact';
  return apply(resizeDefs.resize, [x], {
    ...g,
    mode: nearest ? 'nearest' : mode === 'bicubic' ? 'cubic' : 'linear',
    coord: mode === 'nearest' ? 'asymmetric' : alignCorners ? 'align_corners' : 'half_pixel',
    nearest: mode === 'nearest' ? 'floor' : 'round_prefer_ceil',
    cubicA: -0.75,
    excludeOutside: false,
    roi: [],
    adjoint: false,
  }, 'interpolate');
}
