// Shapes and data movement: Shape, Size, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split,
// Slice, Gather, Expand, Tile, ConstantOfShape, Range, Constant, Pad (constant), Dropout, DepthToSpace,
// SpaceToDepth, GatherElements, ScatterElements/Scatter, GatherND, ScatterND, OneHot. On host values (shape arithmetic) they compute on the host; shape-like inputs (axes,
// shapes, starts, pads) must be known on the host.
import {
  Tensor, affine, cast, cat, dropout, expand, gather, indexSelect, lt, pad, permute, reshape, slice, split as splitOp, where, full, tensor, tril, triu,
  scatter, scatterAdd, gatherNd, scatterNd, eq, arange, affine as scaleShift, mul, gt,
} from '../../core.js';
import { HostVal } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, broadcast, fail, hostTranspose, isHost } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const hostOf = (dtype: HostVal['dtype'], shape: readonly number[], data: ArrayLike<number>) => HostVal.of(dtype, shape, data);

/** A host value with a new shape (same data). */
const rehost = (x: HostVal, shape: readonly number[]) => new HostVal(x.dtype, shape, x.data);

/** Reshape on either kind of value. */
function reshapeVal(c: OpCtx, x: Val, shape: readonly number[]): Val {
  return isHost(x) ? rehost(x, shape) : reshape(c.t(x), shape);
}

def('Shape', {
  1: (c, [x]) => HostVal.ints([...x!.shape]),
  15: (c, [x], n) => {
    const r = x!.shape.length;
    const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
    const start = clampAxis(attr(n, 'start', 0));
    const end = clampAxis(attr(n, 'end', r));
    return HostVal.ints(x!.shape.slice(start, Math.max(start, end)));
  },
});
def('Size', { 1: (c, [x]) => HostVal.ints([prod(x!.shape)], []) });

/** Reshape's target with 0 (copy the input's dim, unless allowzero) and -1 (inferred). */
function targetShape(n: OnnxNode, from: readonly number[], spec: number[], allowZero: boolean): number[] {
  const out = spec.map((d, i) => (d === 0 && !allowZero ? (i < from.length ? from[i] : fail(n, `shape [${spec.join(', ')}] copies dim ${i} that [${from.join(', ')}] lacks`)) : d));
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1 || out.some((d) => d < -1 || !Number.isInteger(d))) fail(n, `invalid shape [${spec.join(', ')}]`);
  const known = prod(out.filter((d) => d !== -1));
  const total = prod(from);
  if (minus) {
    if (known === 0 || total % known) fail(n, `cannot reshape [${from.join(', ')}] to [${spec.join(', ')}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (prod(out) !== total) fail(n, `cannot reshape [${from.join(', ')}] (${total} elements) to [${spec.join(', ')}]`);
  return out;
}
def('Reshape', {
  5: { host: [1], run: (c, [x, s], n) => reshapeVal(c, x!, targetShape(n, x!.shape, c.ints(s, 'shape'), attr(n, 'allowzero', 0) === 1)) },
});

def('Flatten', {
  1: (c, [x], n) => {
    const r = x!.shape.length;
    const a = attr(n, 'axis', 1);
    const axis = a < 0 ? a + r : a;
    if (axis < 0 || axis > r) fail(n, `axis ${a} is out of range for rank ${r}`);
    return reshapeVal(c, x!, [prod(x!.shape.slice(0, axis)), prod(x!.shape.slice(axis))]);
  },
});

def('Transpose', {
  1: (c, [x], n) => {
    const r = x!.shape.length;
    const perm = attr<number[]>(n, 'perm', [...Array(r).keys()].reverse());
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) fail(n, `perm [${perm.join(', ')}] is not a permutation of rank ${r}`);
    return isHost(x) ? hostTranspose(x, perm) : permute(c.t(x), perm);
  },
});

function squeezeVal(c: OpCtx, n: OnnxNode, x: Val, axes: number[] | undefined): Val {
  const r = x.shape.length;
  const drop = new Set(axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : axes.map((a) => axisOf(n, a, r)));
  for (const a of drop) if (x.shape[a] !== 1) fail(n, `cannot squeeze axis ${a} of size ${x.shape[a]} (shape [${x.shape.join(', ')}])`);
  return reshapeVal(c, x, x.shape.filter((_, i) => !drop.has(i)));
}
def('Squeeze', {
  1: (c, [x], n) => squeezeVal(c, n, x!, attr<number[]>(n, 'axes')),
  13: { host: [1], run: (c, [x, axes], n) => squeezeVal(c, n, x!, axes === undefined ? undefined : c.ints(axes, 'axes')) },
});

function unsqueezeVal(c: OpCtx, n: OnnxNode, x: Val, axes: number[]): Val {
  const r = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(n, a, r, 'axes')));
  if (at.size !== axes.length) fail(n, `repeated axes [${axes.join(', ')}]`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) shape.push(at.has(i) ? 1 : x.shape[k++]);
  return reshapeVal(c, x, shape);
}
def('Unsqueeze', {
  1: (c, [x], n) => unsqueezeVal(c, n, x!, attr<number[]>(n, 'axes', [])),
  13: { host: [1], run: (c, [x, axes], n) => unsqueezeVal(c, n, x!, c.ints(axes, 'axes')) },
});

def('Concat', {
  4: (c, xs, n) => {
    const vals = xs.filter((v): v is Val => v !== undefined);
    const r = vals[0].shape.length;
    const axis = axisOf(n, attr(n, 'axis', 0), r);
    for (const v of vals) if (v.shape.length !== r || v.shape.some((d, i) => i !== axis && d !== vals[0].shape[i])) fail(n, `inputs [${vals.map((x) => x.shape.join('x')).join('], [')}] do not match outside axis ${axis}`);
    if (vals.every(isHost)) {
      const hs = vals as HostVal[];
      const outer = prod(hs[0].shape.slice(0, axis));
      const shape = [...hs[0].shape];
      shape[axis] = hs.reduce((s, h) => s + h.shape[axis], 0);
      const data: number[] = [];
      for (let o = 0; o < outer; o++) for (const h of hs) {
        const block = prod(h.shape.slice(axis));
        for (let i = 0; i < block; i++) data.push(h.data[o * block + i]);
      }
      return hostOf(hs[0].dtype, shape, data);
    }
    const ts = vals.filter((v) => v.shape[axis] > 0).map((v) => c.t(v));
    if (!ts.length) return c.t(vals[0]);
    return ts.length === 1 ? reshape(ts[0], ts[0].shape) : cat(ts, axis);
  },
});

/** Split into the given sizes along an axis. */
function splitVal(c: OpCtx, n: OnnxNode, x: Val, axis: number, sizes: number[]): Val[] {
  if (sizes.reduce((a, b) => a + b, 0) !== x.shape[axis]) fail(n, `split sizes [${sizes.join(', ')}] do not add up to ${x.shape[axis]} (axis ${axis})`);
  if (isHost(x)) {
    let start = 0;
    return sizes.map((s) => {
      const r = sliceHost(x, [axis], [start], [start + s], [1]);
      start += s;
      return r;
    });
  }
  const t = c.t(x);
  if (sizes.length === 1) return [reshape(t, t.shape)];
  return splitOp(t, sizes, axis);
}
const evenSizes = (n: OnnxNode, total: number, parts: number) => {
  const size = Math.ceil(total / parts);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, total - i * size)));
};
def('Split', {
  2: (c, [x], n) => {
    const axis = axisOf(n, attr(n, 'axis', 0), x!.shape.length);
    const sizes = attr<number[]>(n, 'split') ?? evenSizes(n, x!.shape[axis], n.outputs.length);
    return splitVal(c, n, x!, axis, sizes);
  },
  13: {
    host: [1],
    run: (c, [x, s], n) => {
      const axis = axisOf(n, attr(n, 'axis', 0), x!.shape.length);
      const parts = attr<number>(n, 'num_outputs') ?? n.outputs.length;
      return splitVal(c, n, x!, axis, s !== undefined ? c.ints(s, 'split') : evenSizes(n, x!.shape[axis], parts));
    },
  },
});

/** Slice of a host value (per axis start/end/step, already clamped). */
function sliceHost(x: HostVal, axes: number[], starts: number[], ends: number[], steps: number[]): HostVal {
  const r = x.shape.length;
  const ranges = x.shape.map((d) => [...Array(d).keys()]);
  axes.forEach((a, k) => {
    const idx: number[] = [];
    for (let i = starts[k]; steps[k] > 0 ? i < ends[k] : i > ends[k]; i += steps[k]) idx.push(i);
    ranges[a] = idx;
  });
  const shape = ranges.map((g) => g.length);
  const strides: number[] = [];
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    strides[i] = s;
    s *= x.shape[i];
  }
  const out: number[] = [];
  const idx = new Array(r).fill(0);
  const total = prod(shape);
  for (let i = 0; i < total; i++) {
    let o = 0;
    for (let d = 0; d < r; d++) o += ranges[d][idx[d]] * strides[d];
    out.push(x.data[o]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return hostOf(x.dtype, shape, out);
}

/** ONNX Slice semantics: clamps starts/ends per axis (negative steps included). */
function sliceVal(c: OpCtx, n: OnnxNode, x: Val, startsIn: number[], endsIn: number[], axesIn?: number[], stepsIn?: number[]): Val {
  const r = x.shape.length;
  const axes = (axesIn ?? startsIn.map((_, i) => i)).map((a) => axisOf(n, a, r, 'axes'));
  const steps = stepsIn ?? axes.map(() => 1);
  if (startsIn.length !== axes.length || endsIn.length !== axes.length || steps.length !== axes.length) fail(n, `starts, ends, axes and steps must have one length (${startsIn.length}, ${endsIn.length}, ${axes.length}, ${steps.length})`);
  const starts: number[] = [];
  const ends: number[] = [];
  axes.forEach((a, k) => {
    const d = x.shape[a];
    const st = steps[k];
    if (st === 0) fail(n, 'steps must not be 0');
    let s = startsIn[k] < 0 ? startsIn[k] + d : startsIn[k];
    let e = endsIn[k] < 0 ? endsIn[k] + d : endsIn[k];
    if (st > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    starts.push(s);
    ends.push(e);
  });
  if (isHost(x)) return sliceHost(x, axes, starts, ends, steps);
  let t = c.t(x);
  axes.forEach((a, k) => {
    if (steps[k] > 0) t = slice(t, a, starts[k], Math.max(starts[k], ends[k]), steps[k]);
    else {
      // a reversed range: rootgrad's slice steps forward, so gather the indices
      const idx: number[] = [];
      for (let i = starts[k]; i > ends[k]; i += steps[k]) idx.push(i);
      t = idx.length ? indexSelect(t, a, tensor(Int32Array.from(idx), [idx.length], { dtype: 'i32' })) : slice(t, a, 0, 0);
    }
  });
  return t === x ? reshape(t, t.shape) : t;
}
def('Slice', {
  1: (c, [x], n) => sliceVal(c, n, x!, attr<number[]>(n, 'starts', []), attr<number[]>(n, 'ends', []), attr<number[]>(n, 'axes')),
  10: {
    host: [1, 2, 3, 4],
    run: (c, [x, s, e, a, st], n) =>
      sliceVal(c, n, x!, c.ints(s, 'starts'), c.ints(e, 'ends'), a === undefined ? undefined : c.ints(a, 'axes'), st === undefined ? undefined : c.ints(st, 'steps')),
  },
});

def('Gather', {
  1: (c, [x, idx], n) => {
    const r = x!.shape.length;
    const axis = axisOf(n, attr(n, 'axis', 0), r);
    const d = x!.shape[axis];
    const outShape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    if (isHost(idx)) {
      const ids = Array.from(idx.data, (i) => {
        if (i < -d || i >= d) fail(n, `index ${i} is out of range for axis ${axis} of size ${d}`);
        return i < 0 ? i + d : i;
      });
      if (isHost(x)) {
        const outer = prod(x.shape.slice(0, axis));
        const inner = prod(x.shape.slice(axis + 1));
        const out: number[] = [];
        for (let o = 0; o < outer; o++) for (const i of ids) for (let k = 0; k < inner; k++) out.push(x.data[(o * d + i) * inner + k]);
        return hostOf(x.dtype, outShape, out);
      }
      const picked = indexSelect(c.t(x), axis, tensor(Int32Array.from(ids), [ids.length], { dtype: 'i32' }));
      return reshape(picked, outShape);
    }
    // indices on the device: negative ones wrap (through f32, exact for any realistic size)
    let it = c.t(idx, 'indices');
    if (it.dtype !== 'i32') fail(n, `indices must be integers, got ${it.dtype}`);
    const f = cast(it, 'f32');
    it = cast(where(lt(f, 0), affine(f, 1, d), f), 'i32');
    const picked = indexSelect(c.t(x), axis, reshape(it, [it.size]));
    return reshape(picked, outShape);
  },
});

def('Expand', {
  8: {
    host: [1],
    run: (c, [x, s], n) => {
      const shape = broadcast(n, x!.shape, c.ints(s, 'shape'));
      if (isHost(x)) {
        const zero = hostOf(x.dtype, shape, new Array(prod(shape)).fill(0));
        return broadcastHost(x, zero);
      }
      const t = c.t(x);
      return expand(t, shape);
    },
  },
});
/** x broadcast to the shape of `like`. */
function broadcastHost(x: HostVal, like: HostVal): HostVal {
  const shape = like.shape;
  const r = shape.length;
  const xs = [...Array(r - x.shape.length).fill(1), ...x.shape];
  const strides: number[] = [];
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    strides[i] = xs[i] === 1 ? 0 : s;
    s *= xs[i];
  }
  const out: number[] = [];
  const idx = new Array(r).fill(0);
  for (let i = 0; i < like.size; i++) {
    let o = 0;
    for (let d = 0; d < r; d++) o += idx[d] * strides[d];
    out.push(x.data[o]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return hostOf(x.dtype, shape, out);
}

def('Tile', {
  6: {
    host: [1],
    run: (c, [x, rep], n) => {
      const reps = c.ints(rep, 'repeats');
      const r = x!.shape.length;
      if (reps.length !== r || reps.some((v) => v < 0 || !Number.isInteger(v))) fail(n, `repeats [${reps.join(', ')}] must be ${r} non-negative integers`);
      // [d0, d1, ...] -> [1, d0, 1, d1, ...] expanded to [r0, d0, r1, d1, ...] -> reshaped [r0 d0, r1 d1, ...]
      const inter = x!.shape.flatMap((d) => [1, d]);
      const big = x!.shape.flatMap((d, i) => [reps[i], d]);
      const out = x!.shape.map((d, i) => d * reps[i]);
      if (isHost(x)) return rehost(broadcastHost(rehost(x, inter), hostOf(x.dtype, big, new Array(prod(big)).fill(0))), out);
      return reshape(expand(reshape(c.t(x), inter), big), out);
    },
  },
});

def('ConstantOfShape', {
  9: {
    host: [0],
    run: (c, [s], n) => {
      const shape = c.ints(s, 'shape');
      if (shape.some((d) => d < 0 || !Number.isInteger(d))) fail(n, `shape [${shape.join(', ')}] is not valid`);
      const v = attr<HostVal>(n, 'value') ?? HostVal.of('f32', [1], [0]);
      return hostOf(v.dtype, shape, new Array(prod(shape)).fill(v.data[0] ?? 0));
    },
  },
});

def('Range', {
  11: {
    host: [0, 1, 2],
    run: (c, [s, l, d], n) => {
      const [start, limit, delta] = [c.host(s, 'start'), c.host(l, 'limit'), c.host(d, 'delta')].map((h) => h.data[0]);
      if (delta === 0) fail(n, 'delta must not be 0');
      const count = Math.max(Math.ceil((limit - start) / delta), 0);
      const dtype = c.host(s).dtype;
      const data = Array.from({ length: count }, (_, i) => start + i * delta);
      return hostOf(dtype, [count], dtype === 'f32' ? data.map(Math.fround) : data);
    },
  },
});

def('Constant', {
  1: (c, _x, n) => {
    for (const k of ['value', 'value_float', 'value_floats', 'value_int', 'value_ints']) {
      const v = n.attrs.get(k);
      if (v === undefined) continue;
      if (v instanceof HostVal) return v;
      // scalar and list forms are rebuilt per run; they are tiny
      if (k === 'value_float') return HostVal.of('f32', [], [v as number]);
      if (k === 'value_int') return HostVal.ints([v as number], []);
      if (k === 'value_floats') return HostVal.of('f32', [(v as number[]).length], v as number[]);
      return HostVal.ints(v as number[]);
    }
    return fail(n, `needs a value attribute (got ${[...n.attrs.keys()].join(', ') || 'none'}); sparse and string constants are not supported`);
  },
});

// Pad, constant mode (edge and reflect wait for rootgrad's pad modes).
function padVal(c: OpCtx, n: OnnxNode, x: Val, pads: number[], value: number, mode: string, axesIn?: number[]): Val {
  if (mode !== 'constant' && mode !== 'edge' && mode !== 'reflect') fail(n, `mode '${mode}' is not valid (constant, edge or reflect)`);
  const r = x.shape.length;
  const axes = (axesIn ?? [...Array(r).keys()]).map((a) => axisOf(n, a, r, 'axes'));
  if (pads.length !== 2 * axes.length) fail(n, `pads has ${pads.length} values for ${axes.length} axes`);
  // ONNX: [x1_begin, x2_begin, ..., x1_end, x2_end]; rootgrad: [last_left, last_right, prev_left, ...]
  const begin = new Array(r).fill(0);
  const end = new Array(r).fill(0);
  axes.forEach((a, i) => {
    begin[a] = pads[i];
    end[a] = pads[i + axes.length];
  });
  const t = c.t(x);
  if (mode !== 'constant') return padByIndex(n, t, begin, end, mode);
  const torchPads: number[] = [];
  for (let a = r - 1; a >= 0; a--) torchPads.push(begin[a], end[a]);
  const v = Math.max(-3.4e38, Math.min(3.4e38, value));
  if (t.dtype !== 'f32') return cast(pad(cast(t, 'f32'), torchPads, v), t.dtype);
  return pad(t, torchPads, v);
}
/** Edge and reflect padding as a gather of host-computed indices per padded axis. */
function padByIndex(n: OnnxNode, x: Tensor, begin: number[], end: number[], mode: string): Tensor {
  let t = x;
  for (let a = 0; a < x.ndim; a++) {
    if (!begin[a] && !end[a]) continue;
    const L = x.shape[a];
    if (L === 0) fail(n, `cannot ${mode}-pad axis ${a} of size 0`);
    if (mode === 'reflect' && (begin[a] >= L || end[a] >= L)) fail(n, `reflect pads [${begin[a]}, ${end[a]}] must be smaller than axis ${a}'s size ${L}`);
    const idx: number[] = [];
    for (let i = -begin[a]; i < L + end[a]; i++) idx.push(mode === 'edge' ? Math.min(Math.max(i, 0), L - 1) : i < 0 ? -i : i >= L ? 2 * (L - 1) - i : i);
    t = indexSelect(t, a, tensor(Int32Array.from(idx), [idx.length], { dtype: 'i32' }));
  }
  return t === x ? reshape(t, t.shape) : t;
}

def('Pad', {
  2: (c, [x], n) => padVal(c, n, x!, attr<number[]>(n, 'pads', []), attr(n, 'value', 0), attr(n, 'mode', 'constant')),
  11: {
    host: [1, 2, 3],
    run: (c, [x, p, v, a], n) => padVal(c, n, x!, c.ints(p, 'pads'), v === undefined ? 0 : c.host(v, 'constant_value').data[0] ?? 0, attr(n, 'mode', 'constant'), a === undefined ? undefined : c.ints(a, 'axes')),
  },
});

// Dropout: identity in eval mode (the default of an imported model); after train(), rootgrad's dropout.
// The mask output is all true in eval mode; in training mode it is where rootgrad's dropout of ones kept
// a value (1 / (1 - ratio) there, 0 elsewhere), and the output is x times that same draw, so the mask is
// the one the output used (and the gradient is that factor).
function dropoutVal(c: OpCtx, n: OnnxNode, x: Val, ratio: number, training: boolean): Val[] {
  const t = c.t(x);
  if (!(ratio >= 0 && ratio < 1)) fail(n, `ratio ${ratio} must be in [0, 1)`);
  const on = training && ratio > 0;
  const wantMask = n.outputs.length > 1 && n.outputs[1];
  if (!wantMask) return [on ? dropout(t, ratio, true) : reshape(t, t.shape)];
  if (!on) return [reshape(t, t.shape), full(t.shape, 1, { dtype: 'bool' })];
  const kept = dropout(full(t.shape, 1), ratio, true);
  const y = t.dtype === 'f32' ? mul(t, kept) : cast(mul(cast(t, 'f32'), kept), t.dtype);
  return [y, gt(kept, 0)];
}
def('Dropout', {
  1: (c, [x], n) => dropoutVal(c, n, x!, attr(n, 'ratio', 0.5), c.training && !attr(n, 'is_test', 0)),
  12: {
    host: [1, 2],
    run: (c, [x, r, tm], n) => dropoutVal(c, n, x!, r === undefined ? 0.5 : c.host(r, 'ratio').data[0], tm === undefined ? c.training : c.host(tm, 'training_mode').data[0] !== 0 || c.training),
  },
});

def('DepthToSpace', {
  1: (c, [x], n) => {
    const [N, C, H, W] = x!.shape;
    const b = attr<number>(n, 'blocksize');
    if (!b || x!.shape.length !== 4 || C % (b * b)) fail(n, `needs a 4-D input with channels divisible by blocksize^2 (shape [${x!.shape.join(', ')}], blocksize ${b})`);
    const dcr = attr(n, 'mode', 'DCR') === 'DCR';
    const t = c.t(x);
    const split6 = dcr ? [N, b, b, C / (b * b), H, W] : [N, C / (b * b), b, b, H, W];
    const perm = dcr ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3];
    return reshape(permute(reshape(t, split6), perm), [N, C / (b * b), H * b, W * b]);
  },
});
def('SpaceToDepth', {
  1: (c, [x], n) => {
    const [N, C, H, W] = x!.shape;
    const b = attr<number>(n, 'blocksize');
    if (!b || x!.shape.length !== 4 || H % b || W % b) fail(n, `needs a 4-D input with H and W divisible by blocksize (shape [${x!.shape.join(', ')}], blocksize ${b})`);
    const t = reshape(c.t(x), [N, C, H / b, b, W / b, b]);
    return reshape(permute(t, [0, 3, 5, 1, 2, 4]), [N, C * b * b, H / b, W / b]);
  },
});


/** Indices on the device that may be negative, wrapped into [0, size). */
function wrapIndices(n: OnnxNode, c: OpCtx, idx: Val, size: number): Tensor {
  if (isHost(idx)) {
    const ids = Array.from(idx.data, (i) => {
      if (i < -size || i >= size) fail(n, `index ${i} is out of range for an axis of size ${size}`);
      return i < 0 ? i + size : i;
    });
    return tensor(Int32Array.from(ids), idx.shape, { dtype: 'i32' });
  }
  const it = c.t(idx, 'indices');
  if (it.dtype !== 'i32') fail(n, `indices must be integers, got ${it.dtype}`);
  const f = cast(it, 'f32');
  return cast(where(lt(f, 0), affine(f, 1, size), f), 'i32');
}

def('GatherElements', {
  11: (c, [x, idx], n) => {
    const t = c.t(x, 'data');
    const axis = axisOf(n, attr(n, 'axis', 0), t.ndim);
    if (idx!.shape.length !== t.ndim) fail(n, `indices must have the data's rank ${t.ndim}, got [${idx!.shape.join(', ')}]`);
    return gather(t, axis, wrapIndices(n, c, idx!, t.shape[axis]));
  },
});

// ScatterElements (and Scatter, its name before opset 11): negative indices wrapped as for
// GatherElements; reduction 'add' (opset 16) is scatterAdd; integer data goes through f32 (exact below 2^24).
function scatterElements(c: OpCtx, n: OnnxNode, x: Val, idx: Val, upd: Val, reduction: string): Tensor {
  const t = c.t(x, 'data');
  const axis = axisOf(n, attr(n, 'axis', 0), t.ndim);
  if (idx.shape.length !== t.ndim) fail(n, `indices must have the data's rank ${t.ndim}, got [${idx.shape.join(', ')}]`);
  if (upd.shape.length !== idx.shape.length || upd.shape.some((d, i) => d !== idx.shape[i])) fail(n, `updates [${upd.shape.join(', ')}] must have the shape of indices [${idx.shape.join(', ')}]`);
  if (reduction !== 'none' && reduction !== 'add') fail(n, `reduction '${reduction}' is not supported (none, add)`);
  const f = t.dtype === 'f32' ? t : cast(t, 'f32');
  const u = c.t(upd, 'updates');
  const uf = u.dtype === 'f32' ? u : cast(u, 'f32');
  const ids = wrapIndices(n, c, idx, t.shape[axis]);
  const y = reduction === 'add' ? scatterAdd(f, axis, ids, uf) : scatter(f, axis, ids, uf);
  return t.dtype === 'f32' ? y : cast(y, t.dtype);
}
def('Scatter', { 9: (c, [x, idx, upd], n) => scatterElements(c, n, x!, idx!, upd!, 'none') });
def('ScatterElements', {
  11: (c, [x, idx, upd], n) => scatterElements(c, n, x!, idx!, upd!, 'none'),
  16: (c, [x, idx, upd], n) => scatterElements(c, n, x!, idx!, upd!, attr(n, 'reduction', 'none')),
});

// GatherND (batch_dims from opset 12) and ScatterND (reduction from opset 16): rootgrad's primitives take
// negative indices as ONNX does.
const ndIndices = (c: OpCtx, n: OnnxNode, v: Val | undefined) => {
  const t = c.t(v, 'indices');
  if (t.dtype !== 'i32') fail(n, `indices must be integers, got ${t.dtype}`);
  return t;
};
def('GatherND', {
  11: (c, [x, idx], n) => gatherNd(c.t(x, 'data'), ndIndices(c, n, idx), attr(n, 'batch_dims', 0)),
});
function scatterNdVal(c: OpCtx, n: OnnxNode, x: Val | undefined, idx: Val | undefined, upd: Val | undefined, reduction: string): Tensor {
  if (!['none', 'add', 'mul'].includes(reduction)) fail(n, `reduction '${reduction}' is not supported (none, add, mul)`);
  return scatterNd(c.t(x, 'data'), ndIndices(c, n, idx), c.t(upd, 'updates'), { reduction: reduction as 'none' | 'add' | 'mul' });
}
def('ScatterND', {
  11: (c, [x, idx, upd], n) => scatterNdVal(c, n, x, idx, upd, 'none'),
  16: (c, [x, idx, upd], n) => scatterNdVal(c, n, x, idx, upd, attr(n, 'reduction', 'none')),
});

// OneHot: indices in [-depth, depth) wrapped, then compared with 0 .. depth - 1 (rootgrad's oneHot refuses
// an index out of range where it can see one; ONNX leaves that row all off, which the comparison gives);
// the class axis moved to `axis`; off/on values from the host.
def('OneHot', {
  9: {
    host: [1, 2],
    run: (c, [idx, d, v], n) => {
      const depth = c.host(d, 'depth').data[0];
      if (!Number.isInteger(depth) || depth < 1) fail(n, `depth must be a positive integer, got ${depth}`);
      const values = c.host(v, 'values');
      if (values.size !== 2) fail(n, `values must hold [off, on], got ${values.size} numbers`);
      const [off, on] = values.data;
      const it = c.t(idx, 'indices');
      const f = it.dtype === 'f32' ? cast(cast(it, 'i32'), 'f32') : cast(it, 'f32'); // ONNX truncates float indices
      const ids = cast(where(lt(f, 0), affine(f, 1, depth), f), 'i32');
      const hot = eq(reshape(ids, [...it.shape, 1]), arange(0, depth, 1, { dtype: 'i32' })); // [..., depth]
      const r = it.shape.length;
      const axis = axisOf(n, attr(n, 'axis', -1), r + 1);
      const moved = axis === r ? hot : permute(hot, [...Array(r + 1).keys()].map((i) => (i < axis ? i : i === axis ? r : i - 1)));
      const y = scaleShift(cast(moved, 'f32'), on - off, off);
      return values.dtype === 'f32' ? y : cast(y, values.dtype);
    },
  },
});

def('Trilu', {
  14: {
    host: [1],
    run: (c, [x, kv], n) => {
      const t = c.t(x);
      if (t.ndim < 2) fail(n, `input must be at least 2-D, got [${t.shape.join(', ')}]`);
      const k = kv === undefined ? 0 : c.ints(kv, 'k')[0];
      const f = t.dtype === 'f32' ? t : cast(t, 'f32');
      const y = attr(n, 'upper', 1) === 1 ? triu(f, k) : tril(f, k);
      return t.dtype === 'f32' ? y : cast(y, t.dtype);
    },
  },
});

def('EyeLike', {
  9: (c, [x], n) => {
    if (x!.shape.length !== 2) fail(n, `input must be 2-D, got [${x!.shape.join(', ')}]`);
    const [R, C] = x!.shape;
    const k = attr(n, 'k', 0);
    const to = attr<number>(n, 'dtype');
    const dtype = to === undefined ? x!.dtype : to === 9 ? 'bool' : [1, 10, 11, 16].includes(to) ? 'f32' : 'i32';
    const data = new Array(R * C).fill(0);
    for (let i = 0; i < R; i++) if (i + k >= 0 && i + k < C) data[i * C + i + k] = 1;
    return hostOf(dtype, [R, C], data);
  },
});

// Window functions (opset 17): N = size (periodic) or size - 1 (symmetric); cosine sums on the host.
function windowOp(coeffs: number[]) {
  return {
    17: {
      host: [0],
      run: (c: OpCtx, [size]: (Val | undefined)[], n: OnnxNode) => {
        const L = c.host(size, 'size').data[0];
        if (!(L >= 0) || !Number.isInteger(L)) fail(n, `size ${L} must be a non-negative integer`);
        const N = attr(n, 'periodic', 1) === 1 ? L : L - 1;
        const data = Array.from({ length: L }, (_, i) => coeffs.reduce((s, a, k) => s + (k % 2 ? -a : a) * Math.cos((2 * Math.PI * k * i) / N), 0));
        const to = attr(n, 'output_datatype', 1);
        return hostOf([1, 10, 11, 16].includes(to) ? 'f32' : 'i32', [L], to === 1 ? data : data.map(Math.trunc));
      },
    },
  };
}
def('HannWindow', windowOp([0.5, 0.5]));
def('HammingWindow', windowOp([25 / 46, 21 / 46]));
def('BlackmanWindow', windowOp([0.42, 0.5, 0.08]));
