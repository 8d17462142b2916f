// Slicing, joining and padding (strided_move.wgsl: a strided region of one tensor into a strided region of
// another), the triangles (triangle.wgsl), and the views built on reshape (flatten, squeeze, unsqueeze).
// PyTorch's semantics; negative axes and indices count from the end.
import { empty, Tensor, tensorMethods } from '../tensor.js';
import { rt } from '../runtime.js';
import { defineKernel } from '../kernel.js';
import { kernelVariant } from '../variants.js';
import { full, zeros } from '../creation.js';
import { f64 } from '../reference.js';
import { normAxis, shapeStr, sizeOf, stridesOf } from '../shape.js';
import { defineOps, type Attrs, type OpDef, type Ops } from './def.js';
import { apply, view } from './apply.js';
import { reshape } from './movement.js';
import { padModes, type PadMode } from './pad_modes.js';
import { checkOptions } from '../options.js';
import stridedMoveWgsl from '../../shaders/strided_move.wgsl';
import triangleWgsl from '../../shaders/triangle.wgsl';

/** The attributes of this file's primitives (merged into Attrs, src/ops/def.ts: apply() checks them). */
export interface JoiningAttrs {
  slice: { axis: number; start: number; step: number; length: number };
  cat: { axis: number };
  /** Per axis (all of them), the elements added before and after (negative: cropped). */
  pad: { before: number[]; after: number[]; value: number };
  triangle: { upper: boolean; diagonal: number };
}
declare module './def.js' {
  interface Attrs extends JoiningAttrs {}
}

const STRIDED_MOVE = /* @__PURE__ */ defineKernel(stridedMoveWgsl, { n: 'u32', rank: 'u32', src_offset: 'u32', dst_offset: 'u32', dims: 'u32[]' }, { X: 'read u32', Y: 'read_write u32' });
const TRIANGLE = /* @__PURE__ */ defineKernel(triangleWgsl, { n: 'u32', R: 'u32', C: 'u32', diagonal: 'i32' }, { X: 'read u32', Y: 'read_write u32' });

interface Side {
  offset: number;
  strides: readonly number[];
}

/** Row copies instead of a kernel: rows of at least this many words (copies need 4-byte-aligned, whole
 * words; long rows keep the per-copy cost small) and at most this many rows (each copy is a command). */
const ROW_COPY_MIN = 256;
const ROW_COPY_MAX_ROWS = 2048;

/** Merges neighbouring axes that stay contiguous on both sides (stride_d = extent_{d+1} stride_{d+1}), and
 * drops size-1 axes: fewer divisions per element in the kernel (they are slow on CPU-like adapters). */
function mergeAxes(extents: readonly number[], src: readonly number[], dst: readonly number[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  extents.forEach((e, d) => {
    if (e === 1) return;
    const last = out[out.length - 1];
    if (last && last[1] === e * src[d] && last[2] === e * dst[d]) out[out.length - 1] = [last[0] * e, src[d], dst[d]];
    else out.push([e, src[d], dst[d]]);
  });
  return out;
}

/** Copies the region of `extents` from x (at src) into y (at dst): one buffer copy when the region is one
 * contiguous run on both sides, else strided_move.wgsl over the merged axes. */
function move(x: Tensor, y: Tensor, extents: readonly number[], src: Side, dst: Side): void {
  const n = sizeOf(extents);
  if (!n) return;
  const axes = mergeAxes(extents, src.strides, dst.strides);
  const r = rt();
  if (axes.length === 0 || (axes.length === 1 && axes[0][1] === 1 && axes[0][2] === 1)) {
    r.copy(view(x), view(y), n * 4, src.offset * 4, dst.offset * 4);
    return;
  }
  // Rows that are contiguous on both sides, long and not too many (cat along the last axis, a slice of
  // columns): on CPU-like adapters one buffer copy per row, cheaper than the kernel's index arithmetic.
  if (axes.length === 2 && axes[1][1] === 1 && axes[1][2] === 1 && axes[1][0] >= ROW_COPY_MIN && axes[0][0] <= ROW_COPY_MAX_ROWS && kernelVariant('move') === 'rows') {
    const [[rows, ss, ds], [len]] = axes;
    for (let i = 0; i < rows; i++) r.copy(view(x), view(y), len * 4, (src.offset + i * ss) * 4, (dst.offset + i * ds) * 4);
    return;
  }
  r.run(STRIDED_MOVE, {}, { X: view(x), Y: view(y) }, { n, rank: axes.length, src_offset: src.offset, dst_offset: dst.offset, dims: axes.flat() }, r.groups1d(n, 256));
}

const contiguous = (shape: readonly number[]): Side => ({ offset: 0, strides: stridesOf(shape) });

/** Elements start, start + step, ... (length of them) along axis, as strides into a tensor of `shape`. */
function sliceSide(shape: readonly number[], { axis, start, step }: Attrs['slice']): Side {
  const st = stridesOf(shape);
  return { offset: start * st[axis], strides: st.map((s, d) => (d === axis ? s * step : s)) };
}

function sliceForward(x: Tensor, a: Attrs['slice']): Tensor {
  const shape = x.shape.map((d, i) => (i === a.axis ? a.length : d));
  const y = empty(shape, x.dtype);
  move(x, y, shape, sliceSide(x.shape, a), contiguous(shape));
  return y;
}

/** Per axis of a pad: where the kept part of x starts in x and in the output, and its extent. */
function padRegion(shape: readonly number[], { before, after }: Attrs['pad']) {
  const srcStart = shape.map((_, d) => Math.max(0, -before[d]));
  const dstStart = shape.map((_, d) => Math.max(0, before[d]));
  const extents = shape.map((n, d) => Math.max(0, n - srcStart[d] - Math.max(0, -after[d])));
  return { srcStart, dstStart, extents, out: shape.map((n, d) => n + before[d] + after[d]) };
}

const offsetOf = (coords: number[], strides: readonly number[]) => coords.reduce((s, c, d) => s + c * strides[d], 0);

/** Reference helper: every multi-index of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = sizeOf(shape);
  const c = shape.map(() => 0);
  for (let i = 0; i < n; i++) {
    yield c;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++c[d] < shape[d]) break;
      c[d] = 0;
    }
  }
}

export const joiningDefs: Ops<keyof JoiningAttrs> = /* @__PURE__ */ defineOps(() => ({
  slice: {
    infer([x], { axis, length }) {
      return { shape: x.shape.map((d, i) => (i === axis ? length : d)), dtype: x.dtype }; // slice() checked the range
    },
    forward([x], attrs) {
      return sliceForward(x, attrs);
    },
    backward(g, _s, attrs, [x]) {
      const dx = zeros(x.shape);
      move(g, dx, g.shape, contiguous(g.shape), sliceSide(x.shape, attrs));
      return [dx];
    },
    reference([x], attrs) {
      const shape = x.shape.map((d, i) => (i === attrs.axis ? attrs.length : d));
      const src = sliceSide(x.shape, attrs);
      const out = f64(shape);
      let i = 0;
      for (const c of indices(shape)) out.data[i++] = x.data[src.offset + offsetOf(c, src.strides)];
      return out;
    },
  } satisfies OpDef<Attrs['slice']>,

  cat: {
    infer(xs, { axis }) {
      if (!xs.length) throw new Error('cat: expects at least one tensor');
      const [first] = xs;
      xs.forEach((t, i) => {
        if (t.dtype !== first.dtype) throw new Error(`cat: tensor ${i} is ${t.dtype}, tensor 0 ${first.dtype}`);
        if (t.ndim !== first.ndim || t.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
          throw new Error(`cat: tensor ${i} has shape ${shapeStr(t.shape)}, tensor 0 ${shapeStr(first.shape)}: every size but axis ${axis}'s must match`);
        }
      });
      return { shape: first.shape.map((d, j) => (j === axis ? xs.reduce((s, t) => s + t.shape[axis], 0) : d)), dtype: first.dtype };
    },
    forward(xs, { axis }) {
      const shape = xs[0].shape.map((d, j) => (j === axis ? xs.reduce((s, t) => s + t.shape[axis], 0) : d));
      const y = empty(shape, xs[0].dtype);
      const st = stridesOf(shape);
      let at = 0;
      for (const t of xs) {
        move(t, y, t.shape, contiguous(t.shape), { offset: at * st[axis], strides: st });
        at += t.shape[axis];
      }
      return y;
    },
    backward(g, _s, { axis }, xs) {
      let at = 0;
      return xs.map((t) => {
        const start = at;
        at += t.shape[axis];
        return t.requiresGrad ? sliceForward(g, { axis, start, step: 1, length: t.shape[axis] }) : null;
      });
    },
    reference(xs, { axis }) {
      const shape = xs[0].shape.map((d, j) => (j === axis ? xs.reduce((s, t) => s + t.shape[axis], 0) : d));
      const out = f64(shape);
      const st = stridesOf(shape);
      let at = 0;
      for (const t of xs) {
        let i = 0;
        for (const c of indices(t.shape)) out.data[offsetOf(c, st) + at * st[axis]] = t.data[i++];
        at += t.shape[axis];
      }
      return out;
    },
  } satisfies OpDef<Attrs['cat']>,

  pad: {
    infer([x], attrs) {
      const { out } = padRegion(x.shape, attrs);
      if (out.some((d) => d < 0)) throw new Error(`pad: pads [${attrs.before.map((b, d) => `${b}, ${attrs.after[d]}`).join('; ')}] leave a negative size for input ${shapeStr(x.shape)}`);
      if (x.dtype !== 'f32' && !Number.isInteger(attrs.value)) throw new Error(`pad: value ${attrs.value} is not an integer, for an ${x.dtype} tensor`);
      return { shape: out, dtype: x.dtype };
    },
    forward([x], attrs) {
      const { srcStart, dstStart, extents, out } = padRegion(x.shape, attrs);
      const y = full(out, attrs.value, { dtype: x.dtype === 'f32' ? 'f32' : 'i32' });
      const typed = x.dtype === 'bool' ? new Tensor(y.storage().retain(), y.shape, 'bool') : y;
      if (typed !== y) y.dispose();
      const sx = stridesOf(x.shape);
      const sy = stridesOf(out);
      move(x, typed, extents, { offset: offsetOf(srcStart, sx), strides: sx }, { offset: offsetOf(dstStart, sy), strides: sy });
      return typed;
    },
    backward(g, _s, attrs, [x]) {
      const { srcStart, dstStart, extents } = padRegion(x.shape, attrs);
      const dx = zeros(x.shape);
      const sx = stridesOf(x.shape);
      const sg = stridesOf(g.shape);
      move(g, dx, extents, { offset: offsetOf(dstStart, sg), strides: sg }, { offset: offsetOf(srcStart, sx), strides: sx });
      return [dx];
    },
    reference([x], attrs) {
      const { srcStart, dstStart, extents, out } = padRegion(x.shape, attrs);
      const y = f64(out, new Array(sizeOf(out)).fill(attrs.value));
      const sx = stridesOf(x.shape);
      const sy = stridesOf(out);
      for (const c of indices(extents)) y.data[offsetOf(c.map((v, d) => v + dstStart[d]), sy)] = x.data[offsetOf(c.map((v, d) => v + srcStart[d]), sx)];
      return y;
    },
  } satisfies OpDef<Attrs['pad']>,

  triangle: {
    infer([x], { upper }) {
      if (x.ndim < 2) throw new Error(`${upper ? 'triu' : 'tril'}: needs at least 2 dimensions, got ${shapeStr(x.shape)}`);
      return { shape: x.shape, dtype: x.dtype };
    },
    forward([x], attrs) {
      return triangleKernel(x, attrs);
    },
    backward(g, _s, attrs) {
      return [triangleKernel(g, attrs)];
    },
    reference([x], { upper, diagonal }) {
      const [R, C] = x.shape.slice(-2);
      return f64(x.shape, Array.from(x.data, (v, i) => {
        const d = (i % C) - (Math.floor(i / C) % R);
        return (upper ? d >= diagonal : d <= diagonal) ? v : 0;
      }));
    },
  } satisfies OpDef<Attrs['triangle']>,
}), () => ({
  // under createGraph (higher_order.ts): ops, a rule in ops, a recomputation, or none with the reason
  slice: {
    backward: (g, _s, { axis, start, step, length }, [x]) => {
      if (step !== 1) throw new Error(`slice: cannot record its backward (createGraph) for a step of ${step}: only contiguous slices (step 1) have one yet`);
      const before = x.shape.map((_, i) => (i === axis ? start : 0));
      const after = x.shape.map((d, i) => (i === axis ? d - start - length : 0));
      return [apply(joiningDefs.pad, [g], { before, after, value: 0 })];
    },
  },
  cat: { backward: (g, _s, { axis }, xs) => {
    let at = 0;
    return xs.map((t) => {
      const part = narrow(g, axis, at, t.shape[axis]);
      at += t.shape[axis];
      return part;
    });
  } },
  pad: {
    // crop what was added (narrow), then add back with zeros what was cropped
    backward: (g, _s, { before, after }, [x]) => {
      let t = g;
      before.forEach((b, i) => {
        const from = Math.max(0, b);
        const len = t.shape[i] - from - Math.max(0, after[i]);
        if (from || len !== t.shape[i]) t = narrow(t, i, from, len);
      });
      if (before.some((b) => b < 0) || after.some((a) => a < 0)) t = apply(joiningDefs.pad, [t], { before: before.map((b) => Math.max(0, -b)), after: after.map((a) => Math.max(0, -a)), value: 0 });
      if (t === g) t = reshape(g, x.shape);
      return [t];
    },
  },
  triangle: { backward: (g, _s, attrs) => [apply(joiningDefs.triangle, [g], attrs)] },
}));

function triangleKernel(x: Tensor, { upper, diagonal }: Attrs['triangle']): Tensor {
  const y = empty(x.shape, x.dtype);
  if (!y.size) return y;
  const [R, C] = x.shape.slice(-2);
  const r = rt();
  r.run(TRIANGLE, { UPPER: String(upper) }, { X: view(x), Y: view(y) }, { n: x.size, R, C, diagonal }, r.groups1d(x.size, 256));
  return y;
}

function checkInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v)) throw new Error(`${op}: ${name} must be an integer, got ${v}`);
}

/** x[..., start:end:step, ...] along axis, with Python's rules: negative start/end count from the end, both
 * are clamped to the axis, end omitted is the end; step > 0. A copy (rootgrad's tensors are contiguous). */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  const a = normAxis('slice', axis, x.ndim);
  const n = x.shape[a];
  checkInt('slice', 'start', start);
  if (end !== undefined) checkInt('slice', 'end', end);
  checkInt('slice', 'step', step);
  if (step <= 0) throw new Error(`slice: step must be positive, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = end === undefined ? n : clampIdx(end);
  return apply(joiningDefs.slice, [x], { axis: a, start: s, step, length: Math.max(0, Math.ceil((e - s) / step)) });
}

/** length elements from start along axis (PyTorch's narrow: start may count from the end, the range must fit). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normAxis('narrow', axis, x.ndim);
  const n = x.shape[a];
  checkInt('narrow', 'start', start);
  checkInt('narrow', 'length', length);
  const s = start < 0 ? start + n : start;
  if (s < 0 || s > n || length < 0 || s + length > n) throw new Error(`narrow: start ${start} and length ${length} are out of range for axis ${axis} of size ${n} (shape ${shapeStr(x.shape)})`);
  return apply(joiningDefs.slice, [x], { axis: a, start: s, step: 1, length });
}

/** Joins tensors along an existing axis; every other size must match. */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || !tensors.length) throw new Error('cat: expects a non-empty array of tensors');
  const a = normAxis('cat', axis, tensors[0].ndim);
  return apply(joiningDefs.cat, [...tensors], { axis: a });
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || !tensors.length) throw new Error('stack: expects a non-empty array of tensors');
  const first = tensors[0];
  tensors.forEach((t: Tensor, i: number) => {
    if (t.ndim !== first.ndim || t.shape.some((d: number, j: number) => d !== first.shape[j])) throw new Error(`stack: tensor ${i} has shape ${shapeStr(t.shape)}, tensor 0 ${shapeStr(first.shape)}: all must match`);
  });
  const a = normAxis('stack', axis, first.ndim + 1);
  const parts = tensors.map((t) => unsqueeze(t, a));
  const out = cat(parts, a);
  for (const p of parts) p.dispose();
  return out;
}

/** Pieces of `size` along axis (the last may be smaller), or of the given sizes (which must add up). */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis('split', axis, x.ndim);
  const n = x.shape[a];
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    checkInt('split', 'size', sizeOrSizes);
    if (sizeOrSizes <= 0) throw new Error(`split: size must be positive, got ${sizeOrSizes}`);
    sizes = Array.from({ length: Math.max(1, Math.ceil(n / sizeOrSizes)) }, (_, i) => Math.min(sizeOrSizes, n - i * sizeOrSizes));
  } else {
    sizes = [...sizeOrSizes];
    sizes.forEach((s) => checkInt('split', 'sizes', s));
    if (sizes.some((s) => s < 0) || sizes.reduce((p, s) => p + s, 0) !== n) throw new Error(`split: sizes [${sizes.join(', ')}] do not add up to ${n}, the size of axis ${axis} of ${shapeStr(x.shape)}`);
  }
  let at = 0;
  return sizes.map((s) => {
    const part = narrow(x, a, at, s);
    at += s;
    return part;
  });
}

/** `chunks` pieces of equal size ceil(n / chunks) along axis (fewer when n does not fill them, as PyTorch). */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  checkInt('chunk', 'chunks', chunks);
  if (chunks <= 0) throw new Error(`chunk: chunks must be positive, got ${chunks}`);
  const a = normAxis('chunk', axis, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[a] / chunks)), a);
}

/** Padding (torch.nn.functional.pad): pads = [left, right] of the last axis, then of the one before, and so
 * on; negative pads crop. The third argument is the constant, or { mode, value }: mode 'constant' (the
 * default), 'reflect', 'replicate' or 'circular' (pad_modes.ts). */
export function pad(x: Tensor, pads: readonly number[], value: number | { mode?: PadMode; value?: number } = 0): Tensor {
  if (!Array.isArray(pads) || pads.length % 2 || pads.length > 2 * x.ndim) throw new Error(`pad: pads must be pairs for at most ${x.ndim} axes (last axis first), got [${pads}]`);
  pads.forEach((p) => checkInt('pad', 'pads', p));
  if (typeof value !== 'number') checkOptions('pad', value, ['mode', 'value']);
  const { mode = 'constant', value: fill = 0 } = typeof value === 'number' ? { value } : value;
  if (typeof fill !== 'number' || !Number.isFinite(fill)) throw new Error(`pad: value must be a finite number, got ${fill}`);
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new Error(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${mode}'`);
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  for (let k = 0; k < pads.length / 2; k++) {
    before[x.ndim - 1 - k] = pads[2 * k];
    after[x.ndim - 1 - k] = pads[2 * k + 1];
  }
  if (mode !== 'constant') return padModes(x, before, after, mode);
  return apply(joiningDefs.pad, [x], { before, after, value: fill });
}

/** The lower triangle of the last two axes (c - r <= diagonal), zeros elsewhere. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  checkInt('tril', 'diagonal', diagonal);
  return apply(joiningDefs.triangle, [x], { upper: false, diagonal }, 'tril');
}

/** The upper triangle of the last two axes (c - r >= diagonal), zeros elsewhere. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  checkInt('triu', 'diagonal', diagonal);
  return apply(joiningDefs.triangle, [x], { upper: true, diagonal }, 'triu');
}

/** Merges axes start..end into one (a view). */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', start, x.ndim);
  const e = normAxis('flatten', end, x.ndim);
  if (s > e) throw new Error(`flatten: start axis ${start} comes after end axis ${end} for shape ${shapeStr(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Drops size-1 axes: all of them, or the given one (left as is when its size is not 1, as PyTorch). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.ndim);
  return reshape(x, x.shape[a] === 1 ? x.shape.filter((_, i) => i !== a) : x.shape);
}

/** Inserts a size-1 axis at `axis` (of the result: -1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

// Tensor methods (a.narrow(...) reads as narrow(a, ...)): installed when this file loads, so it is listed in
// package.json's sideEffects.
declare module '../tensor.js' {
  interface Tensor {
    narrow(axis: number, start: number, length: number): Tensor;
    split(sizeOrSizes: number | readonly number[], axis?: number): Tensor[];
    chunk(chunks: number, axis?: number): Tensor[];
    flatten(start?: number, end?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
  }
}
tensorMethods({
  narrow(axis: number, start: number, length: number) { return narrow(this, axis, start, length); },
  split(sizeOrSizes: number | readonly number[], axis = 0) { return split(this, sizeOrSizes, axis); },
  chunk(chunks: number, axis = 0) { return chunk(this, chunks, axis); },
  flatten(start = 0, end = -1) { return flatten(this, start, end); },
  squeeze(axis?: number) { return squeeze(this, axis); },
  unsqueeze(axis: number) { return unsqueeze(this, axis); },
  tril(diagonal = 0) { return tril(this, diagonal); },
  triu(diagonal = 0) { return triu(this, diagonal); },
});
