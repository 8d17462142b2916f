// Resampling: Resize (opsets 10, 11, 13: scales / sizes / roi as inputs) and Upsample (opset 7: scales as
// an attribute; 9: as an input), all through rootgrad's resize primitive, which resamples the last one or
// two axes. Axes before those must keep their extent (scale 1, a full roi); otherwise the node is refused.
import { Tensor, cast, resize, type ResizeCoord, type NearestMode } from '../../index.js';
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
