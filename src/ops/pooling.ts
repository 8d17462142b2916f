// 2-D pooling, NCHW (or CHW): maxPool2d (dilation, ceil mode, indices by maxPool2dWithIndices), avgPool2d
// (ceil mode), adaptiveAvgPool2d, with PyTorch's windows and divisors.
// Kernels: pool2d.wgsl (forward, max or average), pool2d_backward_scatter.wgsl (disjoint windows: a write per
// output) and pool2d_backward.wgsl (overlapping or adaptive windows: a gather per input element).
import { empty, Tensor } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { f64 } from '../reference.js';
import { shapeStr } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, checkDType, view } from './apply.js';
import { pair, type Pair } from './conv.js';
import { reshape } from './movement.js';
import { zeros } from '../creation.js';
import { checkOptions } from '../options.js';
import pool2dWgsl from '../../shaders/pool2d.wgsl';
import pool2dBackwardWgsl from '../../shaders/pool2d_backward.wgsl';
import pool2dBackwardScatterWgsl from '../../shaders/pool2d_backward_scatter.wgsl';
import { recompute, windowReduce } from './higher_order.js';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface PoolingAttrs {
  // [N, C, H, W] or [C, H, W]; windows as PyTorch's (floor mode unless ceilMode)
  maxPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean };
  /** maxPool2d's indices: flat h * W + w per plane */
  maxPool2dIndices: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean };
  avgPool2d: { kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean; ceilMode: boolean };
  adaptiveAvgPool2d: { output: [number, number] };
}
declare module './def.js' {
  interface Attrs extends PoolingAttrs {}
}

const WINDOWS = { planes: 'u32', H: 'u32', W: 'u32', OH: 'u32', OW: 'u32', kh: 'u32', kw: 'u32', sh: 'u32', sw: 'u32', ph: 'u32', pw: 'u32', adaptive: 'u32', include_pad: 'u32', dh: 'u32', dw: 'u32' } as const;
const POOL = /* @__PURE__ */ defineKernel(pool2dWgsl, WINDOWS, { X: 'read f32', Y: 'read_write f32', IDX: 'read_write i32' });
const POOL_BACKWARD = /* @__PURE__ */ defineKernel(pool2dBackwardWgsl, WINDOWS, { G: 'read f32', IDX: 'read i32', DX: 'read_write f32' });
const POOL_BACKWARD_SCATTER = /* @__PURE__ */ defineKernel(pool2dBackwardScatterWgsl, WINDOWS, { G: 'read f32', IDX: 'read i32', DX: 'read_write f32' });

type PoolAttrs = Attrs['avgPool2d'] & { adaptive: boolean; max: boolean; dilation: [number, number] };

/** Output extent along one axis (PyTorch's pooling_output_shape): in ceil mode the last window may hang over
 * the end, but must start inside the input or the left padding. */
function poolExtent(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** Windows of a [.., H, W] input: extents and the kernel parameters the kernels read. */
function windows(x: readonly number[], a: PoolAttrs) {
  const [H, W] = x.slice(-2);
  const planes = x.slice(0, -2).reduce((p, d) => p * d, 1);
  const ext = (i: number, n: number) => poolExtent(n, a.kernel[i], a.stride[i], a.padding[i], a.dilation[i], a.ceilMode);
  const [OH, OW] = a.adaptive ? a.kernel : [ext(0, H), ext(1, W)];
  return { planes, H, W, OH, OW, kh: a.kernel[0], kw: a.kernel[1], sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1], adaptive: a.adaptive ? 1 : 0, include_pad: a.countIncludePad ? 1 : 0, dh: a.dilation[0], dw: a.dilation[1] };
}

function inferPool(name: string, x: Tensor, a: PoolAttrs) {
  checkDType(name, x, 'f32');
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`${name}: input must be 3-D [C, H, W] or 4-D [N, C, H, W], got ${shapeStr(x.shape)}`);
  const w = windows(x.shape, a);
  if (!a.adaptive) {
    // PyTorch allows half the kernel; ONNX more: any padding that leaves an input element in every window
    if (a.padding[0] >= (a.kernel[0] - 1) * a.dilation[0] + 1 || a.padding[1] >= (a.kernel[1] - 1) * a.dilation[1] + 1) throw new Error(`${name}: padding [${a.padding.join(', ')}] must be smaller than the kernel [${a.kernel.join(', ')}]${a.dilation[0] * a.dilation[1] > 1 ? ` (dilated by [${a.dilation.join(', ')}])` : ''}`);
    if (w.OH < 1 || w.OW < 1) throw new Error(`${name}: kernel ${a.kernel.join('x')} is larger than the padded input ${w.H + 2 * w.ph}x${w.W + 2 * w.pw} (input ${shapeStr(x.shape)})`);
  }
  return { shape: [...x.shape.slice(0, -2), w.OH, w.OW], dtype: 'f32' as const };
}

function poolForward(x: Tensor, a: PoolAttrs, save: (t: Tensor) => void, indices = false): Tensor {
  const w = windows(x.shape, a);
  const y = empty([...x.shape.slice(0, -2), w.OH, w.OW]);
  const idx = empty(a.max ? y.shape : [1], 'i32');
  const r = rt();
  if (y.size) r.run(POOL, { MAX: String(a.max) }, { X: view(x), Y: view(y), IDX: view(idx) }, w, r.groups1d(y.size, 64));
  if (indices) {
    y.dispose();
    return idx;
  }
  if (a.max) save(idx); // max routes gradients by index; average needs only the input's shape
  idx.dispose();
  return y;
}

function poolBackward(g: Tensor, idx: Tensor | undefined, x: Tensor, a: PoolAttrs): Tensor {
  const w = windows(x.shape, a);
  const r = rt();
  // Disjoint windows (stride >= kernel): each output writes its window's inputs, 4x fewer invocations than
  // a gather per input at the default 2x2; overlapping or adaptive windows gather.
  if (!a.adaptive && w.sh >= (w.kh - 1) * w.dh + 1 && w.sw >= (w.kw - 1) * w.dw + 1) {
    const dx = zeros(x.shape);
    if (g.size) r.run(POOL_BACKWARD_SCATTER, { MAX: String(a.max) }, { G: view(g), IDX: view(idx ?? g), DX: view(dx) }, w, r.groups1d(g.size, 64));
    return dx;
  }
  const dx = empty(x.shape);
  if (dx.size) r.run(POOL_BACKWARD, { MAX: String(a.max) }, { G: view(g), IDX: view(idx ?? g), DX: view(dx) }, w, r.groups1d(dx.size, 64));
  return dx;
}

function poolReference(x: { shape: number[]; data: Float64Array }, a: PoolAttrs, indices = false) {
  const w = windows(x.shape, a);
  const out = f64([...x.shape.slice(0, -2), w.OH, w.OW]);
  const win = (o: number, size: number, n: number, k: number, s: number, p: number, d: number) => {
    if (a.adaptive) return [Math.floor((o * size) / n), Math.ceil(((o + 1) * size) / n), 0];
    const start = o * s - p;
    const end = Math.min(start + (k - 1) * d + 1, size + p);
    return [start < 0 ? start + Math.ceil(-start / d) * d : start, Math.min(end, size), end - start];
  };
  for (let pl = 0; pl < w.planes; pl++)
    for (let oh = 0; oh < w.OH; oh++)
      for (let ow = 0; ow < w.OW; ow++) {
        const [h0, h1, hp] = win(oh, w.H, w.OH, w.kh, w.sh, w.ph, w.dh);
        const [w0, w1, wp] = win(ow, w.W, w.OW, w.kw, w.sw, w.pw, w.dw);
        let best = -Infinity, at = -1, total = 0;
        for (let ih = h0; ih < h1; ih += w.dh)
          for (let iw = w0; iw < w1; iw += w.dw) {
            const v = x.data[(pl * w.H + ih) * w.W + iw];
            // a NaN wins, the first one (PyTorch's max pooling propagates NaN)
            if (!Number.isNaN(best) && (v > best || at < 0 || Number.isNaN(v))) [best, at] = [v, ih * w.W + iw];
            total += v;
          }
        const count = a.countIncludePad && !a.adaptive ? hp * wp : (h1 - h0) * (w1 - w0);
        out.data[(pl * w.OH + oh) * w.OW + ow] = indices ? at : a.max ? best : total / count;
      }
  return out;
}

const asPool = (a: Attrs['maxPool2d'] | Attrs['avgPool2d'] | Attrs['adaptiveAvgPool2d'], kind: 'max' | 'avg' | 'adaptive'): PoolAttrs =>
  kind === 'adaptive'
    ? { kernel: (a as Attrs['adaptiveAvgPool2d']).output, stride: [1, 1], padding: [0, 0], countIncludePad: false, adaptive: true, max: false, dilation: [1, 1], ceilMode: false }
    : kind === 'avg'
      ? { ...(a as Attrs['avgPool2d']), adaptive: false, max: false, dilation: [1, 1] }
      : { ...(a as Attrs['maxPool2d']), countIncludePad: false, adaptive: false, max: true };

export const poolingDefs: Ops<keyof PoolingAttrs> = /* @__PURE__ */ defineOps(() => ({
  maxPool2d: {
    infer: ([x], a) => inferPool('maxPool2d', x, asPool(a, 'max')),
    forward: ([x], a, save) => poolForward(x, asPool(a, 'max'), save),
    backward: (g, [idx], a, [x]) => [poolBackward(g, idx, x, asPool(a, 'max'))],
    reference: ([x], a) => poolReference(x, asPool(a, 'max')),
  } satisfies OpDef<Attrs['maxPool2d']>,
  /** The flat index h * W + w within its plane of each window's first maximum (PyTorch's indices). */
  maxPool2dIndices: {
    infer: ([x], a) => ({ ...inferPool('maxPool2d', x, asPool(a, 'max')), dtype: 'i32' as const }),
    forward: ([x], a, save) => poolForward(x, asPool(a, 'max'), save, true),
    backward: () => [null],
    reference: ([x], a) => poolReference(x, asPool(a, 'max'), true),
  } satisfies OpDef<Attrs['maxPool2dIndices']>,
  avgPool2d: {
    infer: ([x], a) => inferPool('avgPool2d', x, asPool(a, 'avg')),
    forward: ([x], a, save) => poolForward(x, asPool(a, 'avg'), save),
    backward: (g, _s, a, [x]) => [poolBackward(g, undefined, x, asPool(a, 'avg'))],
    reference: ([x], a) => poolReference(x, asPool(a, 'avg')),
  } satisfies OpDef<Attrs['avgPool2d']>,
  adaptiveAvgPool2d: {
    infer: ([x], a) => inferPool('adaptiveAvgPool2d', x, asPool(a, 'adaptive')),
    forward: ([x], a, save) => poolForward(x, asPool(a, 'adaptive'), save),
    backward: (g, _s, a, [x]) => [poolBackward(g, undefined, x, asPool(a, 'adaptive'))],
    reference: ([x], a) => poolReference(x, asPool(a, 'adaptive')),
  } satisfies OpDef<Attrs['adaptiveAvgPool2d']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  maxPool2d: recompute(([x], { kernel, stride, padding, dilation, ceilMode }) => {
    if (dilation[0] !== 1 || dilation[1] !== 1) throw new Error(`maxPool2d: cannot record its backward (createGraph) for dilation [${dilation.join(', ')}]: only dilation 1 has one yet`);
    if (ceilMode && x.shape.slice(-2).some((d, i) => d % kernel[i])) throw new Error(`maxPool2d: cannot record its backward (createGraph) in ceil mode with a window over the end (input ${JSON.stringify(x.shape)}, kernel [${kernel.join(', ')}])`);
    if (stride[0] !== kernel[0] || stride[1] !== kernel[1] || padding[0] || padding[1]) throw new Error(`maxPool2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}] with kernel [${kernel.join(', ')}] and padding [${padding.join(', ')}]: only non-overlapping windows without padding have one yet`);
    return windowReduce(x, kernel[0], kernel[1], 'maxPool2d', 'max');
  }),
  maxPool2dIndices: { none: 'pooling indices are integers: no gradient' },
  avgPool2d: recompute(([x], { kernel, stride, padding, ceilMode }) => {
    if (ceilMode && x.shape.slice(-2).some((d, i) => d % kernel[i])) throw new Error(`avgPool2d: cannot record its backward (createGraph) in ceil mode with a window over the end (input ${JSON.stringify(x.shape)}, kernel [${kernel.join(', ')}])`);
    if (stride[0] !== kernel[0] || stride[1] !== kernel[1] || padding[0] || padding[1]) throw new Error(`avgPool2d: cannot record its backward (createGraph) for stride [${stride.join(', ')}] with kernel [${kernel.join(', ')}] and padding [${padding.join(', ')}]: only non-overlapping windows without padding have one yet`);
    return windowReduce(x, kernel[0], kernel[1], 'avgPool2d', 'mean');
  }),
  adaptiveAvgPool2d: recompute(([x], { output: [oh, ow] }) => {
    const [H, W] = x.shape.slice(-2);
    if (H % oh || W % ow) throw new Error(`adaptiveAvgPool2d: cannot record its backward (createGraph) for an output [${oh}, ${ow}] that does not divide the input [${H}, ${W}]: only equal windows have one yet`);
    return windowReduce(x, H / oh, W / ow, 'adaptiveAvgPool2d', 'mean');
  }),
}));

export interface PoolOptions {
  kernel: Pair;
  /** Default: the kernel (non-overlapping windows). */
  stride?: Pair;
  /** Implicit padding on each side, smaller than the kernel (PyTorch: at most half of it; ONNX: more). */
  padding?: Pair;
  /** Output extents rounded up (a last window may hang over the end; it must start inside the input). */
  ceilMode?: boolean;
}

/** The keys of PoolOptions, for checkOptions. */
export const POOL_OPTIONS = ['kernel', 'stride', 'padding', 'ceilMode'] as const;

function poolAttrs(op: string, opts: PoolOptions) {
  if (!opts || opts.kernel === undefined) throw new Error(`${op}: options need a kernel size, e.g. { kernel: 2 }`);
  const kernel = pair(op, 'kernel', opts.kernel, 1);
  return { kernel, stride: pair(op, 'stride', opts.stride ?? kernel, 1), padding: pair(op, 'padding', opts.padding ?? 0, 0), ceilMode: opts.ceilMode ?? false };
}

const maxAttrs = (op: string, opts: PoolOptions & { dilation?: Pair }) => ({ ...poolAttrs(op, opts), dilation: pair(op, 'dilation', opts.dilation ?? 1, 1) });

/** Max over kernel windows of [N, C, H, W] (or [C, H, W]) as PyTorch's max_pool2d (dilation, ceilMode);
 * the gradient goes to the first maximum of each window. */
export function maxPool2d(x: Tensor, opts: PoolOptions & { dilation?: Pair }): Tensor {
  checkOptions('maxPool2d', opts, [...POOL_OPTIONS, 'dilation']);
  return apply(poolingDefs.maxPool2d, [x], maxAttrs('maxPool2d', opts));
}

/** maxPool2d and PyTorch's indices (return_indices): i32, the flat h * W + w within its [H, W] plane of each
 * window's first maximum (ONNX's MaxPool counts over N*C*H*W instead: add plane * H * W). */
export function maxPool2dWithIndices(x: Tensor, opts: PoolOptions & { dilation?: Pair }): { values: Tensor; indices: Tensor } {
  checkOptions('maxPool2dWithIndices', opts, [...POOL_OPTIONS, 'dilation']);
  const attrs = maxAttrs('maxPool2d', opts);
  return { values: apply(poolingDefs.maxPool2d, [x], attrs), indices: apply(poolingDefs.maxPool2dIndices, [x], attrs, 'maxPool2d') };
}

/** Average over kernel windows; with countIncludePad (the default, as PyTorch) the padding counts in the
 * divisor, otherwise only the input elements in the window (ceilMode: a window over the end divides by
 * its part inside input and padding, as PyTorch). */
export function avgPool2d(x: Tensor, opts: PoolOptions & { countIncludePad?: boolean }): Tensor {
  checkOptions('avgPool2d', opts, [...POOL_OPTIONS, 'countIncludePad']);
  return apply(poolingDefs.avgPool2d, [x], { ...poolAttrs('avgPool2d', opts), countIncludePad: opts.countIncludePad ?? true });
}

/** Average pooling to a fixed output size (a number or [OH, OW]): window o spans
 * [floor(o*H/OH), ceil((o+1)*H/OH)), as PyTorch's adaptive_avg_pool2d. */
export function adaptiveAvgPool2d(x: Tensor, output: Pair): Tensor {
  const out = pair('adaptiveAvgPool2d', 'output size', output, 1);
  return apply(poolingDefs.adaptiveAvgPool2d, [x], { output: out });
}

/** Global average pooling to [N, C] (adaptiveAvgPool2d to 1x1, flattened), the ResNet head's. */
export function globalAvgPool2d(x: Tensor): Tensor {
  const y = adaptiveAvgPool2d(x, 1);
  const out = reshape(y, x.shape.slice(0, -2));
  y.dispose();
  return out;
}
