// The tensor vocabulary: slicing, joining, padding, triangles, views, masks, indexing, reductions and random
// sampling. Forward against the float64 reference and autograd against finite differences of it (checkOp),
// over random shapes; PyTorch's semantics and error messages.
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { multinomialWithSeed } from '../src/ops/random.js';
import { checkOp, dim, property, rg, setup, shapeArb, size, valuesArb, broadcastPairArb } from './helpers.js';

const T = rg.opTable();
beforeAll(setup);

const withValues = (shapes: fc.Arbitrary<number[]>, lo = -3, hi = 3) => shapes.chain((s) => valuesArb(size(s), lo, hi).map((v) => ({ shape: s, data: v })));
const ranked = withValues(shapeArb(1, 3));

describe('slicing', () => {
  test('slice with Python rules (negative, clamped, omitted end, steps) against the reference', () =>
    property(ranked.chain((x) => fc.tuple(fc.constant(x), fc.nat(x.shape.length - 1), fc.integer({ min: -9, max: 9 }), fc.option(fc.integer({ min: -9, max: 9 }), { nil: undefined }), fc.integer({ min: 1, max: 3 }))), ([x, axis, start, end, step]) => {
      const n = x.shape[axis];
      const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
      const s = norm(start);
      const length = Math.max(0, Math.ceil(((end === undefined ? n : norm(end)) - s) / step));
      if (length === 0) return Promise.resolve(); // an empty slice: checked below
      return checkOp({ name: 'slice', inputs: [x], gpu: ([t]) => rg.slice(t, axis, start, end, step), ref: (xs) => T.slice.reference(xs, { axis, start: s, step, length }) });
    }));

  test('narrow, split and chunk: the pieces and their gradients', async () => {
    const x = rg.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 12], { requiresGrad: true });
    expect([...(await rg.narrow(x, 1, -3, 2).data())]).toEqual([9, 10, 21, 22]);
    const parts = rg.split(x, 5, 1);
    expect(parts.map((p) => p.shape[1])).toEqual([5, 5, 2]);
    expect(rg.split(x, [3, 9], -1).map((p) => p.shape)).toEqual([[2, 3], [2, 9]]);
    expect(rg.chunk(x, 5, 1).map((p) => p.shape[1])).toEqual([3, 3, 3, 3]); // ceil(12 / 5) = 3: four chunks, as PyTorch
    // d/dx of sum(parts[i] * (i + 1)): each column gets its piece's weight
    let loss = rg.mul(rg.sum(parts[0]), 1);
    for (let i = 1; i < parts.length; i++) loss = rg.add(loss, rg.mul(rg.sum(parts[i]), i + 1));
    loss.backward();
    const g = await x.grad!.data();
    expect([...g.slice(0, 12)]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3]);
    x.zeroGrad();
  });

  test('slice errors name the op and the values', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.slice(x, 2, 0)).toThrow('slice: axis 2 is out of range for a tensor of 2 dimensions');
    expect(() => rg.slice(x, 1, 0, 2, 0)).toThrow('slice: step must be positive, got 0');
    expect(() => rg.narrow(x, 1, 2, 2)).toThrow('narrow: start 2 and length 2 are out of range for axis 1 of size 3 (shape [2, 3])');
    expect(() => rg.split(x, [1, 1], 1)).toThrow('split: sizes [1, 1] do not add up to 3, the size of axis 1 of [2, 3]');
    expect(rg.slice(x, 1, 5).shape).toEqual([2, 0]);
  });
});

describe('joining and padding', () => {
  const catCase = fc.tuple(shapeArb(1, 3), fc.array(dim, { minLength: 1, maxLength: 3 })).chain(([s, extents]) =>
    fc.nat(s.length - 1).chain((axis) => fc.tuple(...extents.map((e) => withValues(fc.constant(s.map((d, i) => (i === axis ? e : d)))))).map((xs) => ({ axis, xs }))),
  );
  test('cat along any axis', () =>
    property(catCase, ({ axis, xs }) => checkOp({ name: 'cat', inputs: xs, gpu: (ts) => rg.cat(ts, axis), ref: (r) => T.cat.reference(r, { axis }) })));

  test('stack makes a new axis', async () => {
    const a = rg.tensor([1, 2, 3], [3]);
    const b = rg.tensor([4, 5, 6], [3]);
    const s = rg.stack([a, b], 1);
    expect(s.shape).toEqual([3, 2]);
    expect([...(await s.data())]).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => rg.stack([a, rg.zeros([2])])).toThrow('stack: tensor 1 has shape [2], tensor 0 [3]: all must match');
    expect(() => rg.cat([rg.zeros([2, 3]), rg.zeros([2, 4])], 0)).toThrow("cat: tensor 1 has shape [2, 4], tensor 0 [2, 3]: every size but axis 0's must match");
  });

  test('pad (last axis first, negative pads crop) against the reference', () =>
    property(withValues(shapeArb(1, 3).map((s) => s.map((d) => d + 1))).chain((x) => fc.tuple(fc.constant(x), fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 2, maxLength: 2 * x.shape.length }).map((p) => (p.length % 2 ? p.slice(1) : p)), fc.constantFrom(0, -1.5))), ([x, pads, value]) => {
      const before = x.shape.map(() => 0);
      const after = x.shape.map(() => 0);
      for (let k = 0; k < pads.length / 2; k++) [before[x.shape.length - 1 - k], after[x.shape.length - 1 - k]] = [pads[2 * k], pads[2 * k + 1]];
      return checkOp({ name: `pad [${pads}]`, inputs: [x], gpu: ([t]) => rg.pad(t, pads, value), ref: (r) => T.pad.reference(r, { before, after, value }) });
    }));

  test('pad matches torch.nn.functional.pad on a known case, and refuses bad pads', async () => {
    const x = rg.tensor([[1, 2], [3, 4]]);
    expect([...(await rg.pad(x, [1, 0, 0, 1], 9).data())]).toEqual([9, 1, 2, 9, 3, 4, 9, 9, 9]);
    expect(() => rg.pad(x, [1])).toThrow('pad: pads must be pairs for at most 2 axes (last axis first), got [1]');
    expect(() => rg.pad(x, [-2, -1])).toThrow('pad: pads [0, 0; -2, -1] leave a negative size for input [2, 2]');
  });

  test('tril and triu with any diagonal', () =>
    property(fc.tuple(withValues(fc.tuple(fc.constantFrom(1, 2), dim, dim).map((s) => [...s])), fc.integer({ min: -3, max: 3 }), fc.boolean()), ([x, diagonal, upper]) =>
      checkOp({ name: `${upper ? 'triu' : 'tril'} ${diagonal}`, inputs: [x], gpu: ([t]) => (upper ? rg.triu(t, diagonal) : rg.tril(t, diagonal)), ref: (r) => T.triangle.reference(r, { upper, diagonal }) })));

  test('flatten, squeeze and unsqueeze are views with PyTorch shapes', () => {
    const x = rg.zeros([2, 1, 3, 1]);
    expect(rg.flatten(x).shape).toEqual([6]);
    expect(rg.flatten(x, 1).shape).toEqual([2, 3]);
    expect(rg.flatten(x, 0, 1).shape).toEqual([2, 3, 1]);
    expect(rg.squeeze(x).shape).toEqual([2, 3]);
    expect(rg.squeeze(x, 1).shape).toEqual([2, 3, 1]);
    expect(rg.squeeze(x, 0).shape).toEqual([2, 1, 3, 1]); // not size 1: unchanged
    expect(rg.unsqueeze(x, -1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(rg.unsqueeze(rg.zeros([3]), 0).shape).toEqual([1, 3]);
    expect(() => rg.flatten(x, 2, 1)).toThrow('flatten: start axis 2 comes after end axis 1 for shape [2, 1, 3, 1]');
  });
});

describe('masks', () => {
  const ops = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
  test('comparisons with broadcasting give bool tensors equal to the reference', () =>
    property(broadcastPairArb.chain(([sa, sb]) => fc.tuple(valuesArb(size(sa), -2, 2).map((v) => v.map((x) => Math.round(x))), valuesArb(size(sb), -2, 2).map((v) => v.map((x) => Math.round(x))), fc.constantFrom(...ops)).map(([va, vb, op]) => ({ a: { shape: sa, data: va }, b: { shape: sb, data: vb }, op }))), async ({ a, b, op }) => {
      const ta = rg.tensor(a.data, a.shape);
      const tb = rg.tensor(b.data, b.shape, { dtype: 'i32' }); // mixed f32 and i32 compares as f32
      const z = rg[op](ta, tb);
      const want = T[op].reference([{ shape: a.shape, data: Float64Array.from(a.data) }, { shape: b.shape, data: Float64Array.from(b.data) }], {});
      expect(z.dtype).toBe('bool');
      expect(z.shape).toEqual(want.shape);
      expect([...(await z.data())]).toEqual([...want.data]);
      for (const t of [ta, tb, z]) t.dispose();
    }));

  test('integers compare exactly as i32 (beyond f32 precision); numbers broadcast as scalars', async () => {
    const big = rg.tensor([16777217, 16777216], [2], { dtype: 'i32' });
    expect([...(await rg.eq(big, 16777217).data())]).toEqual([1, 0]);
    const labels = rg.tensor([0, 3, -100, 3], [4], { dtype: 'i32' });
    expect([...(await rg.ne(labels, -100).data())]).toEqual([1, 1, 0, 1]);
    expect([...(await rg.lt(2, rg.tensor([1, 2, 3])).data())]).toEqual([0, 0, 1]);
  });

  test('logical ops and casts to and from bool', async () => {
    const a = rg.tensor([true, true, false, false]);
    const b = rg.tensor([true, false, true, false]);
    expect(a.dtype).toBe('bool');
    expect([...(await rg.logicalAnd(a, b).data())]).toEqual([1, 0, 0, 0]);
    expect([...(await rg.logicalOr(a, b).data())]).toEqual([1, 1, 1, 0]);
    expect([...(await rg.logicalNot(a).data())]).toEqual([0, 0, 1, 1]);
    expect([...(await rg.cast(rg.tensor([0, -2.5, 3]), 'bool').data())]).toEqual([0, 1, 1]);
    expect([...(await rg.cast(a, 'f32').data())]).toEqual([1, 1, 0, 0]);
    expect(() => rg.logicalAnd(a, rg.zeros([4]))).toThrow('logicalAnd: second input must be bool, got f32 tensor of shape [4]');
    expect(() => rg.tensor([2], [1], { dtype: 'bool' })).toThrow('tensor: bool values must be 0 or 1 (or true/false), got 2 at position 0');
  });

  test('where: broadcasting, gradients to a and b', () =>
    property(broadcastPairArb.chain(([sa, sb]) => {
      const out = [...(sa.length >= sb.length ? sa : sb)].map((_, i, arr) => arr[i]);
      return fc.tuple(valuesArb(size(sa)), valuesArb(size(sb)), fc.array(fc.boolean(), { minLength: size(sa), maxLength: size(sa) })).map(([va, vb, c]) => ({ a: { shape: sa, data: va }, b: { shape: sb, data: vb }, cond: { shape: sa, data: c.map(Number) }, out }));
    }), ({ a, b, cond }) => {
      const c = rg.tensor(cond.data, cond.shape, { dtype: 'bool' });
      return checkOp({ name: 'where', inputs: [a, b], gpu: ([x, y]) => rg.where(c, x, y), ref: ([x, y]) => T.where.reference([{ shape: cond.shape, data: Float64Array.from(cond.data) }, x, y], {}) });
    }));

  test('maskedFill: a causal mask, as nanoGPT writes it', async () => {
    const T4 = 4;
    const scores = rg.tensor(Array.from({ length: T4 * T4 }, (_, i) => i), [T4, T4], { requiresGrad: true });
    const keep = rg.cast(rg.tril(rg.ones([T4, T4])), 'bool');
    const masked = rg.maskedFill(scores, rg.logicalNot(keep), -Infinity);
    const y = await masked.data();
    expect(y[1]).toBe(Math.fround(-3.4e38)); // -inf becomes the large finite sentinel
    expect([y[0], y[4], y[5]]).toEqual([0, 4, 5]);
    rg.sum(masked).backward();
    expect([...(await scores.grad!.data())].slice(0, 8)).toEqual([1, 0, 0, 0, 1, 1, 0, 0]);
    expect(() => rg.maskedFill(scores, rg.zeros([2], { dtype: 'bool' }), 0)).toThrow(/maskedFill: shapes \[4, 4\] and \[2\] can/);
    expect(() => rg.maskedFill(rg.zeros([4]), keep, 0)).toThrow("maskedFill: mask [4, 4] must broadcast to the input's shape [4]");
    expect(() => rg.where(keep, rg.zeros([4, 4]), rg.zeros([4, 4], { dtype: 'i32' }))).toThrow('where: a and b must have one dtype, got f32 [4, 4] and i32 [4, 4]');
    scores.zeroGrad();
  });
});

describe('indexing', () => {
  const axisShape = shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.nat(s.length - 1)));
  test('indexSelect against the reference (repeated indices add up in backward)', () =>
    property(axisShape.chain(([s, axis]) => fc.tuple(withValues(fc.constant(s)), fc.constant(axis), fc.array(fc.nat(s[axis] - 1), { minLength: 1, maxLength: 6 }))), ([x, axis, idx]) =>
      checkOp({ name: 'indexSelect', inputs: [x, { shape: [idx.length], data: idx, int: true }], gpu: ([t, i]) => rg.indexSelect(t, axis, i), ref: (r) => T.indexSelect.reference(r, { axis }) })));

  const indexCase = axisShape.chain(([s, axis]) => {
    const is = fc.tuple(...s.map((d, i) => (i === axis ? fc.integer({ min: 1, max: 4 }) : fc.integer({ min: 1, max: d }))));
    return is.chain((ishape) => fc.tuple(withValues(fc.constant(s)), fc.constant(axis), fc.array(fc.nat(s[axis] - 1), { minLength: size(ishape), maxLength: size(ishape) }).map((v) => ({ shape: ishape, data: v, int: true }))));
  });
  test('gather against the reference', () =>
    property(indexCase, ([x, axis, index]) => checkOp({ name: 'gather', inputs: [x, index], gpu: ([t, i]) => rg.gather(t, axis, i), ref: (r) => T.gather.reference(r, { axis }) })));

  test('scatterAdd against the reference, gradients to x and src', () =>
    property(indexCase.chain(([x, axis, index]) => withValues(fc.constant(index.shape)).map((src) => [x, axis, index, src] as const)), ([x, axis, index, src]) =>
      checkOp({ name: 'scatterAdd', inputs: [x, index, src], grad: [0, 2], gpu: ([t, i, s]) => rg.scatterAdd(t, axis, i, s), ref: (r) => T.scatterAdd.reference(r, { axis }) })));

  test('indexSelect backward: host-known indices (counting sort) and GPU-made ones (scan) give the same bits', async () => {
    const x = rg.randn([3, 7, 2], { requiresGrad: true });
    const idx = [6, 1, 6, 0, 6, 2];
    const up = rg.randn([3, 6, 2]);
    const grads: number[][] = [];
    for (const index of [rg.tensor(idx, [6], { dtype: 'i32' }), rg.cast(rg.tensor(idx, [6]), 'i32')]) {
      x.zeroGrad();
      rg.sum(rg.mul(rg.indexSelect(x, 1, index), up)).backward();
      grads.push([...(await x.grad!.data())]);
    }
    expect(grads[1]).toEqual(grads[0]);
    x.zeroGrad();
  });

  test('errors name the op and the values', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.indexSelect(x, 1, rg.tensor([0, 3], [2], { dtype: 'i32' }))).toThrow('indexSelect: index 3 at position 1 is outside [0, 3)');
    expect(() => rg.indexSelect(x, 0, rg.tensor([[0]], [1, 1], { dtype: 'i32' }))).toThrow('indexSelect: index must be 1-D, got [1, 1]');
    expect(() => rg.gather(x, 1, rg.tensor([0, 1], [2], { dtype: 'i32' }))).toThrow('gather: index must have as many dimensions as the input (2), got [2] for [2, 3]');
    expect(() => rg.gather(x, 1, rg.zeros([3, 1], { dtype: 'i32' }))).toThrow('gather: index [3, 1] is larger than the input [2, 3] on axis 0');
    expect(() => rg.gather(x, 1, rg.zeros([2, 1]))).toThrow('gather: index must be i32, got f32 tensor of shape [2, 1]');
  });
});

describe('reductions', () => {
  const f64of = (x: { shape: number[]; data: number[] }) => ({ shape: x.shape, data: Float64Array.from(x.data) });
  const multi = withValues(shapeArb(2, 3)).chain((x) => fc.tuple(fc.constant(x), fc.subarray([...x.shape.keys()], { minLength: 1 }), fc.boolean()));
  test('sum, mean, max and min over a list of axes (composed of one-axis reductions)', () =>
    property(multi, async ([x, axes, keepdim]) => {
      // distinct values, so that max and min (and their gradients) are unique
      const g = new rg.Generator(x.data.length);
      const order = [...x.data.keys()];
      g.shuffle(order);
      const data = order.map((i) => Math.fround(i / 1000 - 1));
      const xd = { shape: x.shape, data };
      const want = (op: 'sum' | 'max' | 'min', scale = 1) => (xs: rg.F64[]) => {
        let cur = xs[0];
        for (const a of [...axes].sort((p, q) => q - p)) cur = op === 'sum' ? T.sum.reference([cur], { axis: a, keepdim: true, scale: 1 }) : T[op].reference([cur], { axis: a, keepdim: true });
        const shape = keepdim ? cur.shape : x.shape.filter((_, d) => !axes.includes(d));
        return { shape, data: cur.data.map((v) => v * scale) };
      };
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      await checkOp({ name: 'sum axes', inputs: [xd], gpu: ([t]) => rg.sum(t, axes, keepdim), ref: want('sum') });
      await checkOp({ name: 'mean axes', inputs: [xd], gpu: ([t]) => rg.mean(t, axes, keepdim), ref: want('sum', 1 / n) });
      await checkOp({ name: 'max axes', inputs: [xd], gpu: ([t]) => rg.max(t, axes, keepdim), ref: want('max') });
      await checkOp({ name: 'min axes', inputs: [xd], gpu: ([t]) => rg.min(t, axes, keepdim), ref: want('min') });
    }));

  test('argmin, cumsum and topk against the reference', () =>
    property(withValues(shapeArb(1, 3)).chain((x) => fc.tuple(fc.constant(x), fc.nat(x.shape.length - 1))), async ([x, axis]) => {
      const g = new rg.Generator(x.data.length + 3);
      const order = [...x.data.keys()];
      g.shuffle(order);
      const xd = { shape: x.shape, data: order.map((i) => Math.fround(i / 1000 - 1)) };
      const t = rg.tensor(xd.data, xd.shape);
      expect([...(await rg.argmin(t, axis).data())]).toEqual([...T.argmin.reference([f64of(xd)], { axis, keepdim: false }).data]);
      const k = Math.min(3, x.shape[axis]);
      const { values, indices } = rg.topk(t, k, axis);
      const wantIdx = T.topkIndices.reference([f64of(xd)], { axis, k });
      expect(indices.shape).toEqual(wantIdx.shape);
      expect([...(await indices.data())]).toEqual([...wantIdx.data]);
      expect([...(await values.data())]).toEqual([...T.gather.reference([f64of(xd), wantIdx], { axis }).data].map(Math.fround));
      for (const u of [t, values, indices]) u.dispose();
      await checkOp({ name: 'cumsum', inputs: [x], gpu: ([u]) => rg.cumsum(u, axis), ref: (r) => T.cumsum.reference(r, { axis, exclusive: false, reverse: false }) });
      const valuesOnly = (u: rg.Tensor) => {
        const r = rg.topk(u, k, axis);
        r.indices.dispose(); // the gather behind values saved what it needs
        return r.values;
      };
      await checkOp({ name: 'topk values', inputs: [xd], gpu: ([u]) => valuesOnly(u), ref: (r) => T.gather.reference([r[0], T.topkIndices.reference(r, { axis, k })], { axis }) });
    }));

  test('variance, std and logsumexp against float64 (and their gradients)', () =>
    property(withValues(shapeArb(1, 3).map((s) => s.map((d) => d + 1))).chain((x) => fc.tuple(fc.constant(x), fc.nat(x.shape.length - 1), fc.constantFrom(0, 1))), async ([x, axis, correction]) => {
      const along = (xs: rg.F64[], f: (v: number[]) => number) => {
        const [outer, R, inner] = [x.shape.slice(0, axis).reduce((p, d) => p * d, 1), x.shape[axis], x.shape.slice(axis + 1).reduce((p, d) => p * d, 1)];
        const out: number[] = [];
        for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) out.push(f(Array.from({ length: R }, (_, r) => xs[0].data[(o * R + r) * inner + i])));
        return { shape: x.shape.filter((_, d) => d !== axis), data: Float64Array.from(out) };
      };
      const varOf = (v: number[]) => {
        const m = v.reduce((p, q) => p + q, 0) / v.length;
        return v.reduce((p, q) => p + (q - m) ** 2, 0) / (v.length - correction);
      };
      await checkOp({ name: 'variance', inputs: [x], gpu: ([t]) => rg.variance(t, axis, { correction }), ref: (xs) => along(xs, varOf) });
      await checkOp({ name: 'std', inputs: [x], gpu: ([t]) => rg.std(t, axis, { correction }), ref: (xs) => along(xs, (v) => Math.sqrt(varOf(v))) });
      await checkOp({ name: 'logsumexp', inputs: [x], gpu: ([t]) => rg.logsumexp(t, axis), ref: (xs) => along(xs, (v) => { const m = Math.max(...v); return m + Math.log(v.reduce((p, q) => p + Math.exp(q - m), 0)); }) });
    }));

  test('reduction errors name the op and the values', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.sum(x, [1, -1])).toThrow('sum: axis 1 appears twice in [1, -1]');
    expect(() => rg.variance(rg.zeros([1]))).toThrow('variance: 1 element with correction 1 leave no degrees of freedom (shape [1])');
    expect(() => rg.topk(x, 4, 1)).toThrow('topk: k must be an integer in [0, 3] for axis 1 of [2, 3], got 4');
    expect(rg.logsumexp(rg.tensor([1000, 1000]), 0).shape).toEqual([]);
  });

  test('logsumexp stays finite for large values', async () => {
    expect(await rg.logsumexp(rg.tensor([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.log(2), 3);
  });
});

describe('random', () => {
  test('multinomial draws the reference draws, bit for bit, with and without replacement', () =>
    property(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.nat(1 << 30)).chain(([rows, C, replacement, seed]) =>
      fc.tuple(valuesArb(rows * C, 0, 2), fc.integer({ min: 1, max: C })).map(([v, n]) => ({ rows, C, replacement, seed, n, v: v.map((x, i) => (i % C === 0 ? x + 0.1 : x)) })),
    // PyTorch's rule: without replacement every row needs n categories with mass (else multinomial throws)
    ).filter(({ rows, C, replacement, n, v }) => replacement || Array.from({ length: rows }, (_, r) => v.slice(r * C, r * C + C).filter((x) => x > 0).length).every((k) => k >= n)), async ({ rows, C, replacement, seed, n, v }) => {
      const p = rg.tensor(v, [rows, C]);
      const got = rg.withBackend('gpu', () => multinomialWithSeed(p, n, replacement, seed));
      const want = T.multinomial.reference([{ shape: [rows, C], data: Float64Array.from(v.map(Math.fround)) }], { n, replacement, seed });
      const g = [...(await got.data())];
      expect(g).toEqual([...want.data]);
      if (!replacement) for (let r = 0; r < rows; r++) expect(new Set(g.slice(r * n, r * n + n)).size).toBe(n);
      for (const t of [p, got]) t.dispose();
    }));

  test('multinomial refuses what PyTorch refuses, on both backends', async () => {
    for (const [probs, n, replacement] of [[[0.5, 0, 0.5, 0], 3, false], [[0, 0], 1, true], [[0.5, -0.1, 0.6], 1, true], [[0.5, NaN], 1, true]] as const) {
      const p = rg.tensor([...probs]);
      const got = rg.multinomial(p, n, { replacement });
      await expect(got.data()).rejects.toThrow(/multinomial: invalid probabilities \[\d+\]/);
      const values = new Map([[p, { shape: [probs.length], data: Float64Array.from(probs) }]]);
      expect(() => rg.withBackend('reference', () => rg.multinomial(p, n, { replacement }), values)).toThrow(/multinomial: /);
      for (const t of [p, got]) t.dispose();
    }
  });

  test('multinomial follows the probabilities; seeded generators repeat everything', async () => {
    rg.manualSeed(11);
    const p = rg.tensor([1, 3, 6]);
    const draws = [...(await rg.multinomial(p, 3000, { replacement: true }).data())];
    const freq = [0, 1, 2].map((c) => draws.filter((d) => d === c).length / 3000);
    freq.forEach((f, c) => expect(Math.abs(f - [0.1, 0.3, 0.6][c])).toBeLessThan(0.03));
    const run = async () => {
      rg.manualSeed(5);
      return [[...(await rg.multinomial(p, 2).data())], [...(await rg.randint(-3, 4, [2, 5]).data())], [...(await rg.randperm(9).data())]];
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a[1].every((v) => v >= -3 && v < 4)).toBe(true);
    expect([...a[2]].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => rg.multinomial(p, 4)).toThrow('multinomial: cannot draw 4 samples without replacement from 3 categories');
    expect(() => rg.randint(3, 3, [2])).toThrow('randint: needs integers low < high, got 3 and 3');
    expect(() => rg.multinomial(rg.zeros([2, 2, 2]), 1)).toThrow('multinomial: probabilities must be [C] or [rows, C], got [2, 2, 2]');
  });
});

test('strided moves: buffer copies per row and the kernel give the same bits (cat, slice, pad on long rows)', async () => {
  const a = rg.randn([3, 300]);
  const b = rg.randn([3, 260]);
  const run = async (variant: 'rows' | 'kernel') => {
    rg.setKernelVariant('move', variant);
    const outs = [rg.cat([a, b], 1), rg.slice(a, 1, 20, 290), rg.pad(b, [3, 1, 1, 0])];
    const data = await Promise.all(outs.map(async (t) => [...(await t.data())]));
    for (const t of outs) t.dispose();
    return data;
  };
  try {
    expect(await run('rows')).toEqual(await run('kernel'));
  } finally {
    rg.setKernelVariant('move', 'auto');
  }
  for (const t of [a, b]) t.dispose();
});
