// Reductions and normalised exponentials: Reduce* (axes as an attribute, as an input from 13 for
// ReduceSum and from 18 for the rest), ArgMax/ArgMin, Softmax/LogSoftmax (2-D coercion before 13),
// CumSum (exclusive, reverse), TopK, TfIdfVectorizer (n-gram counts).
import { Tensor, abs, affine, argmax, argmin, cast, cumsum, eq, exp, full, gt, indexSelect, log, logSoftmax, lt, max, mean, min, mul, reshape, softmax, sqrt, sub, sum, tensor, topk, neg, where, logicalAnd, slice, matmul, clamp, type DType } from '../../core.js';
import { HostVal } from '../read.js';
import { def } from './registry.js';
import { attr, axisOf, fail, isHost } from './util.js';
import type { OnnxNode, OpCtx, Val } from '../types.js';

const asF32 = (t: Tensor) => (t.dtype === 'f32' ? t : cast(t, 'f32'));
const back = (t: Tensor, dtype: DType) => (dtype === 'f32' ? t : cast(t, dtype));

/** Reduces a host value over axes with (init, step, finish). */
function hostReduce(x: HostVal, axes: number[], keep: boolean, init: number, stepFn: (acc: number, v: number) => number, finish: (acc: number, count: number) => number): HostVal {
  const r = x.shape.length;
  const red = new Set(axes);
  const outShapeKeep = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const size = outShapeKeep.reduce((p, d) => p * d, 1);
  const acc = new Float64Array(size).fill(init);
  const count = x.size / Math.max(size, 1);
  const idx = new Array(r).fill(0);
  for (let i = 0; i < x.size; i++) {
    let o = 0;
    for (let d = 0; d < r; d++) o = o * outShapeKeep[d] + (red.has(d) ? 0 : idx[d]);
    acc[o] = stepFn(acc[o], x.data[i]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  const data = Array.from(acc, (a) => finish(a, count));
  const shape = keep ? outShapeKeep : x.shape.filter((_, i) => !red.has(i));
  return HostVal.of(x.dtype, shape, x.dtype === 'f32' ? data.map(Math.fround) : data);
}

/** A product as exp(sum(log|x|)) with the sign from the count of negatives and exact zeros kept. */
function prodDev(x: Tensor, ax: number[], k: boolean): Tensor {
  const zero = eq(x, full([], 0));
  const anyZero = gt(sum(cast(zero, 'f32'), ax, k), full([], 0));
  const mag = exp(sum(log(where(zero, full([], 1), abs(x))), ax, k));
  const negs = sum(cast(lt(x, full([], 0)), 'f32'), ax, k);
  const odd = sub(negs, affine(cast(cast(affine(negs, 0.5), 'i32'), 'f32'), 2));
  return where(anyZero, full([], 0), mul(mag, affine(odd, -2, 1)));
}

interface Reducer {
  host?: [number, (a: number, v: number) => number, (a: number, n: number) => number];
  dev: (x: Tensor, axes: number[], keep: boolean) => Tensor;
}

const REDUCERS: Record<string, Reducer> = {
  ReduceSum: { host: [0, (a, v) => a + v, (a) => a], dev: (x, ax, k) => sum(x, ax, k) },
  ReduceMean: { host: [0, (a, v) => a + v, (a, n) => a / n], dev: (x, ax, k) => mean(x, ax, k) },
  ReduceMax: { host: [-Infinity, Math.max, (a) => a], dev: (x, ax, k) => max(x, ax, k) },
  ReduceMin: { host: [Infinity, Math.min, (a) => a], dev: (x, ax, k) => min(x, ax, k) },
  ReduceProd: { host: [1, (a, v) => a * v, (a) => a], dev: prodDev },
  ReduceL1: { host: [0, (a, v) => a + Math.abs(v), (a) => a], dev: (x, ax, k) => sum(abs(x), ax, k) },
  ReduceL2: { host: [0, (a, v) => a + v * v, (a) => Math.sqrt(a)], dev: (x, ax, k) => sqrt(sum(mul(x, x), ax, k)) },
  ReduceSumSquare: { host: [0, (a, v) => a + v * v, (a) => a], dev: (x, ax, k) => sum(mul(x, x), ax, k) },
  ReduceLogSum: { host: [0, (a, v) => a + v, (a) => Math.log(a)], dev: (x, ax, k) => log(sum(x, ax, k)) },
  ReduceLogSumExp: {
    host: [0, (a, v) => a + Math.exp(v), (a) => Math.log(a)],
    dev: (x, ax, k) => {
      const m = max(x, ax, true);
      const s = log(sum(exp(sub(x, m)), ax, true));
      const out = sub(s, neg(m));
      return k ? out : reshape(out, x.shape.filter((_, i) => !ax.includes(i)));
    },
  },
};

function reduce(c: OpCtx, n: OnnxNode, x: Val, axesIn: number[] | undefined): Val {
  const rd = REDUCERS[n.opType];
  const r = x.shape.length;
  const keep = attr(n, 'keepdims', 1) === 1;
  if ((!axesIn || !axesIn.length) && attr(n, 'noop_with_empty_axes', 0) === 1) return isHost(x) ? x : reshape(c.t(x), x.shape);
  const axes = axesIn && axesIn.length ? [...new Set(axesIn.map((a) => axisOf(n, a, r, 'axes')))] : [...Array(r).keys()];
  if (isHost(x) && rd.host) return hostReduce(x, axes, keep, ...rd.host);
  const t = c.t(x);
  if (!axes.length) return reshape(t, t.shape);
  try {
    return back(rd.dev(asF32(t), axes, keep), t.dtype);
  } catch (e) {
    return fail(n, (e as Error).message);
  }
}

for (const name of Object.keys(REDUCERS)) {
  const byAttr = (c: OpCtx, [x]: (Val | undefined)[], n: OnnxNode) => reduce(c, n, x!, attr<number[]>(n, 'axes'));
  const byInput = { host: [1], run: (c: OpCtx, [x, a]: (Val | undefined)[], n: OnnxNode) => reduce(c, n, x!, a === undefined ? undefined : c.ints(a, 'axes')) };
  def(name, name === 'ReduceSum' ? { 1: byAttr, 13: byInput } : { 1: byAttr, 18: byInput });
}

function argExt(which: 'max' | 'min') {
  return (c: OpCtx, [x]: (Val | undefined)[], n: OnnxNode): Val => {
    const r = x!.shape.length;
    const axis = axisOf(n, attr(n, 'axis', 0), r);
    const keep = attr(n, 'keepdims', 1) === 1;
    const last = attr(n, 'select_last_index', 0) === 1;
    if (isHost(x)) {
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const d = x.shape[axis];
      const inner = x.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
      const out: number[] = [];
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let k = 1; k < d; k++) {
          const v = x.data[(o * d + k) * inner + i], b = x.data[(o * d + best) * inner + i];
          if (which === 'max' ? v > b || (last && v === b) : v < b || (last && v === b)) best = k;
        }
        out.push(best);
      }
      const shape = keep ? x.shape.map((q, i) => (i === axis ? 1 : q)) : x.shape.filter((_, i) => i !== axis);
      return HostVal.ints(out, shape);
    }
    let t = asF32(c.t(x));
    const d = t.shape[axis];
    // the last extremum: the first one of the reversed axis, mapped back (d - 1 - i)
    if (last) t = indexSelect(t, axis, tensor(Int32Array.from({ length: d }, (_, i) => d - 1 - i), [d], { dtype: 'i32' }));
    const i = which === 'max' ? argmax(t, axis, keep) : argmin(t, axis, keep);
    return last ? cast(affine(cast(i, 'f32'), -1, d - 1), 'i32') : i;
  };
}
def('ArgMax', { 1: argExt('max') });
def('ArgMin', { 1: argExt('min') });

/** Softmax-like ops: before opset 13 the input is coerced to 2-D at `axis` (default 1). */
function softmaxLike(fn: (t: Tensor, axis: number) => Tensor) {
  return {
    1: (c: OpCtx, [x]: (Val | undefined)[], n: OnnxNode) => {
      const t = asF32(c.t(x));
      const axis = axisOf(n, attr(n, 'axis', 1), t.ndim);
      const rows = t.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      return reshape(fn(reshape(t, [rows, t.size / Math.max(rows, 1)]), 1), t.shape);
    },
    13: (c: OpCtx, [x]: (Val | undefined)[], n: OnnxNode) => {
      const t = asF32(c.t(x));
      return fn(t, axisOf(n, attr(n, 'axis', -1), t.ndim));
    },
  };
}
def('Softmax', softmaxLike(softmax));
/** 1 at the first maximum along the axis, 0 elsewhere. */
function hardmax(t: Tensor, axis: number): Tensor {
  const d = t.shape[axis];
  const at = reshape(tensor(Int32Array.from({ length: d }, (_, i) => i), [d], { dtype: 'i32' }), t.shape.map((q, i) => (i === axis ? d : 1)));
  return cast(eq(argmax(t, axis, true), at), 'f32');
}
def('Hardmax', softmaxLike(hardmax));
def('LogSoftmax', softmaxLike(logSoftmax));

def('CumSum', {
  11: {
    host: [1],
    run: (c, [x, a], n) => {
      const t = c.t(x);
      const opts = { exclusive: attr(n, 'exclusive', 0) === 1, reverse: attr(n, 'reverse', 0) === 1 };
      return back(cumsum(asF32(t), axisOf(n, c.ints(a, 'axis')[0], t.ndim), opts), t.dtype);
    },
  },
});

function topK(c: OpCtx, n: OnnxNode, x: Val, k: number): Val[] {
  const t = asF32(c.t(x));
  const axis = axisOf(n, attr(n, 'axis', -1), t.ndim);
  if (attr(n, 'sorted', 1) !== 1) fail(n, 'sorted=0 is not supported');
  const largest = attr(n, 'largest', 1) === 1;
  if (largest) {
    const { values, indices } = topk(t, k, axis);
    return [values, indices];
  }
  const { values, indices } = topk(neg(t), k, axis);
  return [neg(values), indices];
}
def('TopK', {
  1: (c, [x], n) => topK(c, n, x!, attr(n, 'k', 1)),
  10: { host: [1], run: (c, [x, k], n) => topK(c, n, x!, c.ints(k, 'K')[0]) },
});

// TfIdfVectorizer (opset 9): counts of the pool's n-grams in each row of integer tokens. For each gram
// length n and skip s (gaps of s between tokens; unigrams once), the windows [N, P] of every token position
// are compared with all the pool's n-grams [G] at once (an [N, P, G] mask, the AND over the n tokens), and
// summed over P; a host one-hot table [G, size] then puts gram g's count in column ngram_indexes[g].
// Mode TF: the counts; IDF: min(count, 1) times the weight; TFIDF: count times the weight.
def('TfIdfVectorizer', {
  9: (c, [x], n) => {
    const t = c.t(x, 'X');
    if (t.dtype !== 'i32') fail(n, `X must hold integer tokens (string pools are not supported), got ${t.dtype}`);
    if (t.ndim !== 1 && t.ndim !== 2) fail(n, `X must be [C] or [N, C], got [${t.shape.join(', ')}]`);
    if (attr<string[]>(n, 'pool_strings')) fail(n, 'pool_strings is not supported (pool_int64s is)');
    const pool = attr<number[]>(n, 'pool_int64s') ?? fail(n, 'pool_int64s is required');
    const counts = attr<number[]>(n, 'ngram_counts') ?? fail(n, 'ngram_counts is required');
    const indexes = attr<number[]>(n, 'ngram_indexes') ?? fail(n, 'ngram_indexes is required');
    const minN = attr(n, 'min_gram_length', 1);
    const maxN = attr(n, 'max_gram_length', 1);
    const maxSkip = attr(n, 'max_skip_count', 0);
    const mode = attr(n, 'mode', 'TF');
    if (!['TF', 'IDF', 'TFIDF'].includes(mode)) fail(n, `mode '${mode}' is not one of TF, IDF, TFIDF`);
    if (!(minN >= 1 && maxN >= minN && maxN <= counts.length)) fail(n, `gram lengths ${minN} to ${maxN} do not match ngram_counts [${counts.join(', ')}]`);
    // the pool's grams of length len: pool[counts[len - 1] .. counts[len]) in groups of len, numbered from
    // gramBase(len) in the pool's order
    const grams = (len: number) => {
      const from = counts[len - 1];
      const to = len < counts.length ? counts[len] : pool.length;
      return Array.from({ length: Math.max(0, Math.floor((to - from) / len)) }, (_, k) => pool.slice(from + k * len, from + (k + 1) * len));
    };
    const total = counts.reduce((acc, _, i) => acc + grams(i + 1).length, 0);
    if (indexes.length !== total) fail(n, `ngram_indexes has ${indexes.length} entries for ${total} n-grams in the pool`);
    const size = Math.max(...indexes, -1) + 1;
    const weights = attr<number[]>(n, 'weights') ?? new Array(total).fill(1);
    const rows = t.ndim === 1 ? reshape(t, [1, t.shape[0]]) : t;
    const [N, C] = rows.shape;
    let base = 0;
    for (let len = 1; len < minN; len++) base += grams(len).length;
    let out: Tensor | null = null;
    for (let len = minN; len <= maxN; len++) {
      const gs = grams(len);
      if (gs.length) {
        let found: Tensor | null = null;
        for (let skip = 0; skip <= (len === 1 ? 0 : maxSkip); skip++) {
          const P = C - (len - 1) * (skip + 1);
          if (P <= 0) break;
          let match: Tensor | null = null;
          for (let k = 0; k < len; k++) {
            const tokens = reshape(slice(rows, 1, k * (skip + 1), k * (skip + 1) + P), [N, P, 1]);
            const want = tensor(Int32Array.from(gs, (g) => g[k]), [gs.length], { dtype: 'i32' });
            const m = eq(tokens, want);
            match = match ? logicalAnd(match, m) : m;
          }
          const cnt = sum(cast(match!, 'f32'), 1); // [N, G]
          found = found ? found.add(cnt) : cnt;
        }
        if (found) {
          const f = mode === 'IDF' ? clamp(found, 0, 1) : found;
          const table = new Float32Array(gs.length * size);
          gs.forEach((_, g) => (table[g * size + indexes[base + g]] = mode === 'TF' ? 1 : weights[base + g]));
          const y = matmul(f, tensor(table, [gs.length, size]));
          out = out ? out.add(y) : y;
        }
      }
      base += gs.length;
    }
    const y = out ?? full([N, size], 0);
    return t.ndim === 1 ? reshape(y, [size]) : y;
  },
});
