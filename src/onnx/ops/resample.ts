// Resampling: Resize (opsets 10, 11, 13: scales / sizes / roi as inputs) and Upsample (opset 7: scales as
// an attribute; 9: as an input), all through rootgrad's resize primitive, which resamples the last one or
// two axes. Axes before those must keep their extent (scale 1, a full roi); otherwise the node is refused.
import {
  Tensor, cast, resize, type ResizeCoord, type NearestMode, abs, add, affine, clamp, eq, expand, gather, ge, gt, le, logicalAnd, mul, ne,
  reshape, slice, sub, where, full,
} from '../../core.js';
import { def } from './registry.js';
import { attr, fail } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

interface Plan {
  scales?: number[];
  sizes?: number[];
  roi?: number[];
  mode: string;
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

function resample(n: OnnxNode, x: Tensor, p: Plan): Tensor {
  const rank = x.ndim;
  const given = p.sizes ?? p.scales;
  if (!given) fail(n, 'needs scales or sizes');
  if (given.length !== rank) fail(n, `${p.sizes ? 'sizes' : 'scales'} [${given.join(', ')}] must have one entry per axis of the input [${x.shape.join(', ')}]`);
  const cropping = p.coord === 'tf_crop_and_resize';
  const roi = cropping ? p.roi ?? [] : [];
  if (cropping && roi.length !== 2 * rank) fail(n, `tf_crop_and_resize needs a roi of ${2 * rank} numbers (starts then ends per axis), got [${roi.join(', ')}]`);
  // an axis is resized unless it keeps its extent (and, when cropping, its full range)
  const changes = (i: number) => (p.sizes ? p.sizes[i] !== x.shape[i] : p.scales![i] !== 1) || (cropping && (roi[i] !== 0 || roi[i + rank] !== 1));
  let first = rank - 1;
  for (let i = 0; i < rank; i++) if (changes(i)) { first = i; break; }
  const S = rank - Math.min(first, rank - 1);
  if (S > 2) fail(n, `resizes only the last two axes; input [${x.shape.join(', ')}] with ${p.sizes ? 'sizes' : 'scales'} [${given.join(', ')}] changes axis ${first}`);
  const axes = [...Array(S).keys()].map((i) => rank - S + i);
  const mode = p.mode as 'nearest' | 'linear' | 'cubic';
  if (!['nearest', 'linear', 'cubic'].includes(mode)) fail(n, `mode '${p.mode}' is not one of nearest, linear, cubic`);
  const t = x.dtype === 'f32' ? x : cast(x, 'f32');
  const y = resize(t, {
    ...(p.sizes ? { size: axes.map((a) => p.sizes![a]) } : { scales: axes.map((a) => p.scales![a]) }),
    mode,
    coordinateTransformationMode: p.coord as ResizeCoord,
    nearestMode: p.nearest as NearestMode,
    cubicCoeffA: p.cubicA,
    excludeOutside: p.excludeOutside,
    ...(cropping ? { roi: [...axes.map((a) => roi[a]), ...axes.map((a) => roi[a + rank])], extrapolationValue: p.extrapolation } : {}),
  });
  return x.dtype === 'f32' ? y : cast(y, x.dtype);
}

/** Resize before opset 11 and Upsample: asymmetric coordinates; nearest takes the floor on an axis it
 * enlarges, the ceiling on an axis it shrinks (onnxruntime's convention for these opsets, decided per axis:
 * scales [1, 1, 1.5, 0.5] floor along H and ceil along W, so such a node resamples one axis at a time,
 * which nearest's separability makes exact). */
function legacy(n: OnnxNode, x: Tensor, scales: number[]): Tensor {
  const mode = attr(n, 'mode', 'nearest');
  const plan = (s: number[], nearest: string): Plan => ({ scales: s, mode: mode === 'bilinear' ? 'linear' : mode, coord: 'asymmetric', nearest, cubicA: -0.75, excludeOutside: false, extrapolation: 0 });
  const shrinks = scales.some((s) => s < 1);
  if (mode !== 'nearest' || !shrinks || scales.every((s) => s <= 1)) return resample(n, x, plan(scales, shrinks ? 'ceil' : 'floor'));
  const enlarged = resample(n, x, plan(scales.map((s) => (s < 1 ? 1 : s)), 'floor'));
  return resample(n, enlarged, plan(scales.map((s) => (s < 1 ? s : 1)), 'ceil'));
}

/** An optional input's numbers, or undefined when absent or empty (ONNX's way to leave it out). */
function optional(c: OpCtx, v: Val | undefined, what: string): number[] | undefined {
  if (v === undefined) return undefined;
  const h = c.host(v, what);
  return h.size ? Array.from(h.data) : undefined;
}

function resize11(c: OpCtx, [x, roi, scales, sizes]: (Val | undefined)[], n: OnnxNode): Tensor {
  // opset 18's additions change the result: refused rather than ignored
  if (attr(n, 'antialias', 0)) fail(n, 'antialias is not supported');
  if (attr<number[]>(n, 'axes')) fail(n, 'the axes attribute is not supported (give scales or sizes for every axis)');
  if (attr(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') fail(n, `keep_aspect_ratio_policy '${attr(n, 'keep_aspect_ratio_policy', 'stretch')}' is not supported (stretch only)`);
  const sc = optional(c, scales, 'scales');
  const sz = optional(c, sizes, 'sizes');
  if (sc && sz) fail(n, 'give scales or sizes, not both');
  return resample(n, c.t(x, 'X'), {
    scales: sc,
    sizes: sz,
    roi: optional(c, roi, 'roi'),
    mode: attr(n, 'mode', 'nearest'),
    coord: attr(n, 'coordinate_transformation_mode', 'half_pixel'),
    nearest: attr(n, 'nearest_mode', 'round_prefer_floor'),
    cubicA: attr<number>(n, 'cubic_coeff_a', -0.75),
    excludeOutside: attr(n, 'exclude_outside', 0) === 1,
    extrapolation: attr<number>(n, 'extrapolation_value', 0),
  });
}

def('Resize', {
  10: { host: [1], run: (c, [x, s], n) => legacy(n, c.t(x, 'X'), c.ints(s, 'scales')) },
  11: { host: [1, 2, 3], run: resize11 },
});

def('Upsample', {
  7: (c, [x], n) => legacy(n, c.t(x, 'X'), attr<number[]>(n, 'scales') ?? fail(n, 'the scales attribute is required')),
  9: { host: [1], run: (c, [x, s], n) => legacy(n, c.t(x, 'X'), c.ints(s, 'scales')) },
});

// GridSample (opset 16, 4-D input): PyTorch's grid_sample, composed. The grid's normalised (x, y) become
// pixel coordinates (align_corners as PyTorch); each tap is a gather from the flattened input planes, zero
// outside the input (padding 'zeros'), or its coordinate clamped ('border') or reflected ('reflection')
// first. bilinear: 4 taps; nearest: 1 (round half to even); bicubic: 16 with PyTorch's A = -0.75.
// Gradients reach X through gather and the grid through the interpolation weights.
def('GridSample', {
  16: (c, [x, grid], n) => {
    const t = asF32(c.t(x, 'X'));
    const g = asF32(c.t(grid, 'grid'));
    if (t.ndim !== 4) fail(n, `only 4-D inputs [N, C, H, W] are supported, got [${t.shape.join(', ')}]`);
    const [N, C, H, W] = t.shape;
    if (g.ndim !== 4 || g.shape[0] !== N || g.shape[3] !== 2) fail(n, `grid must be [${N}, H_out, W_out, 2], got [${g.shape.join(', ')}]`);
    const mode = attr(n, 'mode', 'bilinear');
    const padding = attr(n, 'padding_mode', 'zeros');
    const align = attr(n, 'align_corners', 0) === 1;
    if (!['bilinear', 'nearest', 'bicubic'].includes(mode)) fail(n, `mode '${mode}' is not one of bilinear, nearest, bicubic`);
    if (!['zeros', 'border', 'reflection'].includes(padding)) fail(n, `padding_mode '${padding}' is not one of zeros, border, reflection`);
    const [Ho, Wo] = g.shape.slice(1, 3);
    const P = Ho * Wo;
    const coord = (k: number, size: number) => {
      const v = reshape(slice(g, 3, k, k + 1), [N, 1, P]);
      return align ? affine(v, (size - 1) / 2, (size - 1) / 2) : affine(v, size / 2, (size - 1) / 2);
    };
    // padding applied to a coordinate (PyTorch's compute_coordinates)
    const bound = (v: Tensor, size: number) => {
      if (padding === 'border') return clamp(v, 0, size - 1);
      if (padding === 'reflection') return clamp(align ? reflect(v, 0, 2 * (size - 1)) : reflect(v, -1, 2 * size - 1), 0, size - 1);
      return v;
    };
    const planes = reshape(t, [N, C, H * W]);
    // the input at integer coordinates (yi, xi) [N, 1, P], zero outside
    const tap = (yi: Tensor, xi: Tensor) => {
      const inside = logicalAnd(logicalAnd(ge(xi, 0), le(xi, W - 1)), logicalAnd(ge(yi, 0), le(yi, H - 1)));
      const flat = add(affine(clamp(yi, 0, H - 1), W), clamp(xi, 0, W - 1));
      const idx = expand(cast(flat, 'i32'), [N, C, P]);
      return where(inside, gather(planes, 2, idx), full([], 0));
    };
    const ix0 = coord(0, W);
    const iy0 = coord(1, H);
    let out: Tensor;
    if (mode === 'nearest') out = tap(roundHalfEven(bound(iy0, H)), roundHalfEven(bound(ix0, W)));
    else if (mode === 'bilinear') {
      const [ix, iy] = [bound(ix0, W), bound(iy0, H)];
      const [x0, y0] = [floorT(ix), floorT(iy)];
      const [fx, fy] = [sub(ix, x0), sub(iy, y0)];
      const [x1, y1] = [affine(x0, 1, 1), affine(y0, 1, 1)];
      const [gx, gy] = [affine(fx, -1, 1), affine(fy, -1, 1)];
      out = add(add(mul(tap(y0, x0), mul(gy, gx)), mul(tap(y0, x1), mul(gy, fx))), add(mul(tap(y1, x0), mul(fy, gx)), mul(tap(y1, x1), mul(fy, fx))));
    } else {
      const [x0, y0] = [floorT(ix0), floorT(iy0)];
      const wx = cubicWeights(sub(ix0, x0));
      const wy = cubicWeights(sub(iy0, y0));
      let acc: Tensor | null = null;
      for (let i = 0; i < 4; i++) {
        const yi = bound(affine(y0, 1, i - 1), H);
        for (let j = 0; j < 4; j++) {
          const term = mul(tap(yi, bound(affine(x0, 1, j - 1), W)), mul(wy[i], wx[j]));
          acc = acc ? add(acc, term) : term;
        }
      }
      out = acc!;
    }
    return reshape(out, [N, C, Ho, Wo]);
  },
});

const asF32 = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));
/** trunc through an i32 cast (exact for |v| < 2^31). */
const truncT = (v: Tensor) => cast(cast(v, 'i32'), 'f32');
/** floor: trunc, minus one where that rounded up (negative non-integers). */
const floorT = (v: Tensor) => {
  const tr = truncT(v);
  return sub(tr, cast(gt(tr, v), 'f32'));
};
/** Round half to even (std::nearbyint, as PyTorch's nearest grid sampling). */
function roundHalfEven(v: Tensor): Tensor {
  const f = floorT(affine(v, 1, 0.5));
  const tie = eq(sub(f, v), full([], 0.5));
  const odd = ne(sub(f, affine(floorT(affine(f, 0.5)), 2)), full([], 0));
  return where(logicalAnd(tie, odd), affine(f, 1, -1), f);
}
/** A coordinate reflected into [twiceLow / 2, twiceHigh / 2] (PyTorch's reflect_coordinates). */
function reflect(v: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return affine(v, 0);
  const min = twiceLow / 2;
  const span = (twiceHigh - twiceLow) / 2;
  const a = abs(affine(v, 1, -min));
  const flips = truncT(affine(a, 1 / span)); // a >= 0: trunc is floor
  const extra = sub(a, affine(flips, span));
  const even = eq(sub(flips, affine(truncT(affine(flips, 0.5)), 2)), full([], 0));
  return where(even, affine(extra, 1, min), affine(extra, -1, span + min));
}
/** The four cubic convolution weights (A = -0.75) for a fraction t in [0, 1). */
function cubicWeights(t: Tensor): Tensor[] {
  const A = -0.75;
  // near(x) = ((A + 2) x - (A + 3)) x^2 + 1 for |x| <= 1; far(x) = ((A x - 5A) x + 8A) x - 4A for 1 < |x| < 2
  const near = (x: Tensor) => affine(mul(affine(x, A + 2, -(A + 3)), mul(x, x)), 1, 1);
  const far = (x: Tensor) => affine(mul(affine(mul(affine(x, A, -5 * A), x), 1, 8 * A), x), 1, -4 * A);
  return [far(affine(t, 1, 1)), near(t), near(affine(t, -1, 1)), far(affine(t, -1, 2))];
}
