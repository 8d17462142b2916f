// The primitives ONNX import maps to (issue 27): each against its float64 reference (forward, and autograd
// against finite differences of the reference), PyTorch's values where PyTorch has the op (fixtures made
// once by scripts/fixtures/prims_fixture.py), and the errors.
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkOp, dim, expectClose, property, rg, setup, shapeArb, size, valuesArb } from './helpers.js';

const T = rg.opTable();
const fixture = JSON.parse(readFileSync(new URL('./fixtures/prims.json', import.meta.url), 'utf8'));

beforeAll(setup);

/** Values for a shape, as checkOp's input. */
const valuesOf = (shape: number[], lo = -3, hi = 3) => valuesArb(size(shape), lo, hi).map((data) => ({ shape, data }));

describe('scatter (torch.scatter, ONNX ScatterElements)', () => {
  // index of x's rank, distinct targets along the axis in each line, src at least as large as the index
  const scatterCase = fc.tuple(shapeArb(1, 3), fc.nat()).chain(([s, a]) => {
    const axis = a % s.length;
    return fc.tuple(
      fc.array(fc.nat(), { minLength: s.length, maxLength: s.length }),
      fc.array(fc.nat(1), { minLength: s.length, maxLength: s.length }),
    ).chain(([cut, grow]) => {
      const is = s.map((d, i) => Math.max(1, d - (cut[i] % d)));
      const ss = is.map((d, i) => d + grow[i]);
      return fc.tuple(valuesOf(s), valuesOf(ss), fc.array(fc.nat(), { minLength: size(is), maxLength: size(is) })).map(([x, src, shifts]) => {
        const inner = size(is.slice(axis + 1));
        const idx = shifts.map((_, i) => {
          const line = Math.floor(i / (inner * is[axis])) * inner + (i % inner);
          return ((Math.floor(i / inner) % is[axis]) + shifts[line]) % s[axis];
        });
        return { x, src, axis, index: { shape: is, data: idx, int: true } };
      });
    });
  });
  test('forward and gradients against the reference', () =>
    property(scatterCase, ({ x, src, axis, index }) =>
      checkOp({ name: `scatter axis ${axis}`, inputs: [x, index, src], gpu: ([xt, it, st]) => rg.scatter(xt, axis, it, st), ref: ([a, i, b]) => T.scatter.reference([a, i, b], { axis }) }),
    ));

  test('duplicate targets: the last along the axis wins; reduce add is scatterAdd', async () => {
    const x = rg.zeros([3]);
    const idx = rg.tensor([1, 1, 0], [3], { dtype: 'i32' });
    const src = rg.tensor([5, 7, 9], [3]);
    expect([...(await rg.scatter(x, 0, idx, src).data())]).toEqual([9, 7, 0]);
    expect([...(await x.scatter(0, idx, src, { reduce: 'add' }).data())]).toEqual([9, 12, 0]);
  });

  test('errors name the op and the values', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.scatter(x, 1, rg.tensor([[0, 3]], [1, 2], { dtype: 'i32' }), rg.zeros([1, 2]))).toThrow(/scatter: index 3 at position 1 is outside \[0, 3\)/);
    expect(() => rg.scatter(x, 1, rg.tensor([0], [1], { dtype: 'i32' }), rg.zeros([1]))).toThrow(/scatter: .* same number of dimensions/);
    expect(() => rg.scatter(x, 0, rg.tensor([[0, 1, 0]], [1, 3], { dtype: 'i32' }), rg.zeros([1, 2]))).toThrow(/scatter: index \[1, 3\] is larger than src \[1, 2\]/);
    expect(() => rg.scatter(x, 0, rg.zeros([1, 1], { dtype: 'i32' }), rg.zeros([1, 1]), { reduce: 'mul' as never })).toThrow(/scatter: reduce must be 'none' or 'add', got 'mul'/);
  });
});

describe('gatherNd and scatterNd (ONNX GatherND, ScatterND)', () => {
  // data [..batch, X_1 .. X_k, ..rest], indices [..batch, M.., k] with negatives
  const ndCase = fc.record({ batch: fc.array(dim, { maxLength: 1 }), cells: fc.array(dim, { minLength: 1, maxLength: 2 }), rest: shapeArb(0, 1), mid: shapeArb(0, 2) }).chain(({ batch, cells, rest, mid }) => {
    const k = cells.length;
    const ishape = [...batch, ...mid, k];
    return fc.tuple(valuesOf([...batch, ...cells, ...rest]), fc.array(fc.nat(), { minLength: size(ishape), maxLength: size(ishape) })).map(([x, raw]) => ({
      x,
      batchDims: batch.length,
      index: { shape: ishape, data: raw.map((v, i) => (v % (2 * cells[i % k])) - cells[i % k]), int: true },
    }));
  });
  test('gatherNd: forward and gradients (repeated cells add), batch dims, negative indices', () =>
    property(ndCase, ({ x, index, batchDims }) =>
      checkOp({ name: `gatherNd batchDims ${batchDims}`, inputs: [x, index], gpu: ([xt, it]) => rg.gatherNd(xt, it, batchDims), ref: (xs) => T.gatherNd.reference(xs, { batchDims }) }),
    ));

  test('gatherNd on i32 data copies the words', async () => {
    const x = rg.tensor([10, 11, 12, 13, 14, 15], [3, 2], { dtype: 'i32' });
    const y = rg.gatherNd(x, rg.tensor([[2, 1], [0, -2]], [2, 2], { dtype: 'i32' }));
    expect(y.dtype).toBe('i32');
    expect([...(await y.data())]).toEqual([15, 10]);
    const rows = rg.gatherNd(x, rg.tensor([[-1], [1]], [2, 1], { dtype: 'i32' }));
    expect(rows.shape).toEqual([2, 2]);
    expect([...(await rows.data())]).toEqual([14, 15, 12, 13]);
  });

  for (const reduction of ['none', 'add', 'mul'] as const) {
    test(`scatterNd reduction '${reduction}': forward and gradients`, () =>
      property(fc.record({ cells: fc.array(dim, { minLength: 1, maxLength: 2 }), rest: shapeArb(0, 2), seed: fc.nat() }).chain(({ cells, rest, seed }) => {
        const k = cells.length;
        const total = size(cells);
        // distinct cells for 'none' and 'mul' (the last write counts; a product's gradient): a shuffled prefix
        const g = new rg.Generator(seed);
        const order = [...Array(total).keys()];
        g.shuffle(order);
        const M = 1 + g.int(reduction === 'add' ? 2 * total : total);
        const flat = Array.from({ length: M }, (_, m) => (reduction === 'add' ? g.int(total) : order[m]));
        const idx = flat.flatMap((c) => {
          const out: number[] = [];
          for (let j = k - 1; j >= 0; j--) {
            out.unshift(c % cells[j] - (g.uniform() < 0.3 ? cells[j] : 0));
            c = Math.floor(c / cells[j]);
          }
          return out;
        });
        return fc.tuple(valuesOf([...cells, ...rest]), valuesOf([M, ...rest])).map(([x, u]) => ({ x, u, index: { shape: [M, k], data: idx, int: true } }));
      }), ({ x, u, index }) =>
        checkOp({
          name: `scatterNd ${reduction}`,
          inputs: [x, index, u],
          gpu: ([xt, it, ut]) => rg.scatterNd(xt, it, ut, { reduction }),
          ref: (xs) => T.scatterNd.reference(xs, { reduction, batchDims: 0 }),
        }),
      ));
  }

  test('scatterNd: duplicates (last wins, adds, multiplies), i32 data, and the mul updates gradient refused', async () => {
    const x = rg.tensor([1, 2, 3, 4], [4]);
    const idx = rg.tensor([[1], [3], [1]], [3, 1], { dtype: 'i32' });
    const u = rg.tensor([5, 6, 7], [3], { requiresGrad: true });
    expect([...(await rg.scatterNd(x, idx, u).data())]).toEqual([1, 7, 3, 6]);
    expect([...(await rg.scatterNd(x, idx, u, { reduction: 'add' }).data())]).toEqual([1, 14, 3, 10]);
    expect([...(await rg.scatterNd(x, idx, u, { reduction: 'mul' }).data())]).toEqual([1, 70, 3, 24]);
    const xi = rg.tensor([1, 2, 3, 4], [2, 2], { dtype: 'i32' });
    expect([...(await rg.scatterNd(xi, rg.tensor([[1, 0]], [1, 2], { dtype: 'i32' }), rg.tensor([9], [1], { dtype: 'i32' })).data())]).toEqual([1, 2, 9, 4]);
    expect(() => rg.sum(rg.scatterNd(x, idx, u, { reduction: 'mul' })).backward()).toThrow(/scatterNd: reduction 'mul' gives the updates a gradient only for host-known indices naming distinct cells \(indices \[3, 1\] repeat a cell\)/);
    const gpuIdx = rg.cast(rg.tensor([[3], [1]], [2, 1]), 'i32');
    expect(() => rg.sum(rg.scatterNd(x, gpuIdx, rg.tensor([5, 6], [2], { requiresGrad: true }), { reduction: 'mul' })).backward()).toThrow(/were made on the GPU/);
  });

  test('errors name the op, the shapes and the values', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.gatherNd(x, rg.tensor([[0, 3]], [1, 2], { dtype: 'i32' }))).toThrow(/gatherNd: index 3 at position 1 is outside \[-3, 3\) \(axis 1 of data \[2, 3\]\)/);
    expect(() => rg.gatherNd(x, rg.tensor([[0, 0, 0]], [1, 3], { dtype: 'i32' }))).toThrow(/gatherNd: the last axis of indices \[1, 3\] \(3\) must be in \[1, 2\]/);
    expect(() => rg.gatherNd(x, rg.tensor([[0]], [1, 1], { dtype: 'i32' }), 1)).toThrow(/gatherNd: batch axis 0 differs/);
    expect(() => rg.gatherNd(x, rg.zeros([2, 1], { dtype: 'i32' }), 2)).toThrow(/gatherNd: batchDims 2 must be an integer in \[0, 1\]/);
    expect(() => rg.gatherNd(x, rg.zeros([2, 1]))).toThrow(/gatherNd: indices must be i32/);
    expect(() => rg.scatterNd(x, rg.zeros([2, 1], { dtype: 'i32' }), rg.zeros([2, 2]))).toThrow(/scatterNd: updates must have shape \[2, 3\] .* got \[2, 2\]/);
    expect(() => rg.scatterNd(x, rg.zeros([1, 1], { dtype: 'i32' }), rg.zeros([1, 3]), { reduction: 'max' as never })).toThrow(/scatterNd: reduction must be 'none', 'add' or 'mul', got 'max'/);
  });
});

describe('more elementwise ops (hardsigmoid, hardswish, elu / selu / celu, softsign, mish, logSigmoid)', () => {
  // values kept 0.02 away from the kinks
  const away = (kinks: number[]) => (v: number) => (kinks.some((k) => Math.abs(v - k) < 0.02) ? v + 0.05 : v);
  const cases: [string, (x: rg.Tensor) => rg.Tensor, (xs: rg.F64[]) => rg.F64, number[], number][] = [
    ['hardsigmoid', (x) => rg.hardsigmoid(x), (xs) => T.hardsigmoid.reference(xs, { alpha: Math.fround(1 / 6), beta: 0.5 }), [-3, 3], 5],
    ['hardsigmoid (ONNX alpha 0.2)', (x) => rg.hardsigmoid(x, { alpha: 0.2, beta: 0.5 }), (xs) => T.hardsigmoid.reference(xs, { alpha: Math.fround(0.2), beta: 0.5 }), [-2.5, 2.5], 4],
    ['hardswish', rg.hardswish, (xs) => T.hardswish.reference(xs, {}), [-3, 3], 5],
    ['hardtanh(-0.5, 2)', (x) => rg.hardtanh(x, -0.5, 2), (xs) => T.clamp.reference(xs, { min: -0.5, max: 2 }), [-0.5, 2], 3],
    ['elu', (x) => rg.elu(x), (xs) => T.elu.reference(xs, { alpha: 1, scale: 1, inputScale: 1 }), [0], 4],
    ['elu(0.3)', (x) => rg.elu(x, 0.3), (xs) => T.elu.reference(xs, { alpha: Math.fround(0.3), scale: 1, inputScale: 1 }), [0], 4],
    ['selu', rg.selu, (xs) => T.elu.reference(xs, { alpha: Math.fround(1.6732632423543772), scale: Math.fround(1.0507009873554805), inputScale: 1 }), [0], 4],
    ['celu(2)', (x) => rg.celu(x, 2), (xs) => T.elu.reference(xs, { alpha: 2, scale: 1, inputScale: 0.5 }), [0], 4],
    ['softsign', rg.softsign, (xs) => T.softsign.reference(xs, {}), [0], 4],
    ['mish', rg.mish, (xs) => T.mish.reference(xs, {}), [], 6],
    ['logSigmoid', rg.logSigmoid, (xs) => T.logSigmoid.reference(xs, {}), [], 12],
    ['hardshrink', (x) => rg.hardshrink(x), (xs) => T.shrink.reference(xs, { lambd: 0.5, bias: 0 }), [-0.5, 0.5], 3],
    ['softshrink(0.3)', (x) => rg.softshrink(x, 0.3), (xs) => T.shrink.reference(xs, { lambd: Math.fround(0.3), bias: Math.fround(0.3) }), [-0.3, 0.3], 3],
    ['shrink (ONNX, bias 1.5)', (x) => rg.shrink(x, { lambd: 1, bias: 1.5 }), (xs) => T.shrink.reference(xs, { lambd: 1, bias: 1.5 }), [-1, 1], 3],
    ['threshold(0.5, -2)', (x) => rg.threshold(x, 0.5, -2), (xs) => T.threshold.reference(xs, { threshold: 0.5, value: -2 }), [0.5], 3],
  ];
  for (const [name, fn, ref, kinks, range] of cases) {
    test(name, () => property(shapeArb().chain((s) => valuesOf(s, -range, range)).map((x) => ({ ...x, data: x.data.map(away(kinks)).map(Math.fround) })), (x) => checkOp({ name, inputs: [x], gpu: ([a]) => fn(a), ref })));
  }

  test("PyTorch's values (scripts/fixtures/prims_fixture.py)", async () => {
    const fx = fixture.activations as { x: number[]; [name: string]: number[] };
    const x = rg.tensor(fx.x, [fx.x.length]);
    const got: Record<string, rg.Tensor> = { hardshrink: rg.hardshrink(x), softshrink: rg.softshrink(x, 0.7), threshold: rg.threshold(x, 0.1, 20), hardsigmoid: rg.hardsigmoid(x), hardswish: rg.hardswish(x), hardtanh: rg.hardtanh(x), elu: rg.elu(x, 0.7), selu: rg.selu(x), celu: rg.celu(x, 1.5), softsign: rg.softsign(x), mish: rg.mish(x), logsigmoid: rg.logSigmoid(x) };
    for (const [name, t] of Object.entries(got)) expectClose(await t.data(), fx[name], { atol: 2e-6, rtol: 2e-6 }, name);
  });

  test('errors name the op and the value', () => {
    const x = rg.zeros([2]);
    expect(() => rg.hardsigmoid(x, { alpha: NaN })).toThrow(/hardsigmoid: alpha and beta must be finite, got alpha = NaN/);
    expect(() => rg.celu(x, 0)).toThrow(/celu: alpha must not be 0/);
    expect(() => rg.elu(x, Infinity)).toThrow(/elu: alpha must be finite, got Infinity/);
    expect(() => rg.hardtanh(x, 1, -1)).toThrow(/hardtanh: min 1 must not exceed max -1/);
    expect(() => rg.mish(rg.zeros([2], { dtype: 'i32' }))).toThrow(/mish: input must be f32/);
  });
});

describe('trigonometric and hyperbolic ops (sin ... atanh)', () => {
  const cases: [string, (x: rg.Tensor) => rg.Tensor, number, number, (v: number) => number][] = [
    ['sin', rg.sin, -7, 7, (v) => v],
    ['cos', rg.cos, -7, 7, (v) => v],
    ['tan', rg.tan, -1.3, 1.3, (v) => v],
    ['asin', rg.asin, -0.95, 0.95, (v) => v],
    ['acos', rg.acos, -0.95, 0.95, (v) => v],
    ['atan', rg.atan, -6, 6, (v) => v],
    ['sinh', rg.sinh, -4, 4, (v) => v],
    ['cosh', rg.cosh, -4, 4, (v) => v],
    ['asinh', rg.asinh, -6, 6, (v) => v],
    ['acosh', rg.acosh, -4, 4, (v) => 1.05 + Math.abs(v)], // inside the domain
    ['atanh', rg.atanh, -0.95, 0.95, (v) => v],
  ];
  for (const [name, fn, lo, hi, into] of cases) {
    test(`${name}: forward and gradient against the reference`, () =>
      property(shapeArb().chain((s) => valuesArb(size(s), lo, hi).map((data) => ({ shape: s, data: data.map(into).map(Math.fround) }))), (x) =>
        checkOp({ name, inputs: [x], gpu: ([a]) => fn(a), ref: (xs) => (T as unknown as Record<string, { reference: (x: rg.F64[], a: object) => rg.F64 }>)[name].reference(xs, {}) })));
  }

  test('small results keep their digits (a few ulp), where WGSL built-ins promise only absolute errors', async () => {
    const points: [string, (x: rg.Tensor) => rg.Tensor, (v: number) => number, number[]][] = [
      ['sin', rg.sin, Math.sin, [1e-4, -3e-3, 3.1415925, 100.5, -2000.25, 6.2831855]],
      ['cos', rg.cos, Math.cos, [1.5707964, -1.5707964, 4.712389, 1e-3, 50.3]],
      ['tan', rg.tan, Math.tan, [1e-4, 1.5, -1.55, 3.1415925, 0.7853982]],
      ['asin', rg.asin, Math.asin, [1e-4, 0.999, -0.99999, 0.5, 0.7]],
      ['acos', rg.acos, Math.acos, [0.99999, -0.999, 0.5, 1e-3, 0.7]],
      ['atan', rg.atan, Math.atan, [1e-4, 0.41, 0.42, -1, 1e5, -30]],
      ['sinh', rg.sinh, Math.sinh, [1e-4, -2e-3, 0.3, 8]],
      ['cosh', rg.cosh, Math.cosh, [1e-4, -0.3, 8]],
      ['asinh', rg.asinh, Math.asinh, [1e-4, -2e-3, 0.3, 1e10, -50]],
      ['acosh', rg.acosh, Math.acosh, [1.0001, 1.5, 1e10, 30]],
      ['atanh', rg.atanh, Math.atanh, [1e-4, -2e-3, 0.5, 0.999]],
    ];
    for (const [name, fn, ref, vs] of points) {
      const xs = vs.map(Math.fround);
      const got = await fn(rg.tensor(xs, [xs.length])).data();
      xs.forEach((v, i) => expect(Math.abs(got[i] - ref(v)) / Math.abs(ref(v)), `${name}(${v}) = ${got[i]}, want ${ref(v)}`).toBeLessThan(2e-6));
    }
  });

  test('Tensor methods', async () => {
    const x = rg.tensor([0.25, -0.5], [2]);
    for (const m of ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'atanh'] as const) expect(await x[m]().data(), m).toEqual(await rg[m](x).data());
    expect(await rg.tensor([1.5], [1]).acosh().data()).toEqual(await rg.acosh(rg.tensor([1.5], [1])).data());
    expect(() => rg.sin(rg.zeros([2], { dtype: 'i32' }))).toThrow(/sin: input must be f32/);
  });
});

describe('interpolate and resize', () => {
  const grads = async (xs: rg.Tensor[], y: rg.Tensor) => {
    const w = rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape);
    rg.sum(rg.mul(y, w)).backward();
    return Promise.all(xs.map((x) => x.grad!.data()));
  };

  test("F.interpolate: PyTorch's outputs and input gradients for every mode", async () => {
    for (const c of fixture.interpolate as { mode: string; size: number[] | null; scale: number[] | null; alignCorners: boolean | null; x: number[]; xshape: number[]; shape: number[]; y: number[]; grads: number[][] }[]) {
      const what = `${c.mode} ${JSON.stringify(c.size ?? c.scale)} alignCorners ${c.alignCorners}`;
      const x = rg.tensor(c.x, c.xshape, { requiresGrad: true });
      const y = rg.interpolate(x, { mode: c.mode as never, size: c.size ?? undefined, scaleFactor: c.scale ?? undefined, alignCorners: c.alignCorners ?? undefined });
      expect(y.shape, what).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-5, rtol: 1e-5 }, what);
      expectClose((await grads([x], y))[0], c.grads[0], { atol: 1e-5, rtol: 1e-5 }, `${what}: gradient`);
    }
  });

  test("ONNX Resize: the conventions PyTorch lacks, against onnx's own reference", async () => {
    const { x, xshape, cases } = fixture.resizeOnnx as { x: number[]; xshape: number[]; cases: { opts: rg.ResizeOptions; size: number[] | null; scales: number[] | null; shape: number[]; y: number[] }[] };
    const xt = rg.tensor(x, xshape);
    for (const c of cases) {
      const what = JSON.stringify(c);
      const y = rg.resize(xt, { ...c.opts, size: c.size ?? undefined, scales: c.scales ?? undefined });
      expect(y.shape, what).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-5, rtol: 1e-5 }, what);
    }
  });

  const modes = ['nearest', 'linear', 'cubic'] as const;
  const coords = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'] as const;
  test('every mode and convention: forward and gradients against the reference (the adjoint kernel)', () =>
    property(
      fc.record({
        lead: shapeArb(0, 2), axes: fc.array(dim, { minLength: 1, maxLength: 2 }), out: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 2 }),
        mode: fc.constantFrom(...modes), coord: fc.constantFrom(...coords), nearest: fc.constantFrom('round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil') as fc.Arbitrary<rg.NearestMode>,
        excludeOutside: fc.boolean(), cubicA: fc.constantFrom(-0.75, -0.5),
        starts: fc.array(fc.constantFrom(-0.25, 0, 0.3), { minLength: 2, maxLength: 2 }), ends: fc.array(fc.constantFrom(0.5, 1, 1.25), { minLength: 2, maxLength: 2 }),
      }).chain((c) => valuesOf([...c.lead, ...c.axes]).map((x) => ({ ...c, x }))),
      ({ x, axes, out, mode, coord, nearest, excludeOutside, cubicA, starts, ends }) => {
        const roi = [...starts.slice(0, axes.length), ...ends.slice(0, axes.length)];
        const opts: rg.ResizeOptions = { size: out.slice(0, axes.length), mode, coordinateTransformationMode: coord, nearestMode: nearest, excludeOutside, cubicCoeffA: cubicA, roi };
        const attrs = { from: axes, to: opts.size as number[], scale: (opts.size as number[]).map((d, i) => d / axes[i]), mode, coord, nearest, cubicA, excludeOutside, roi, adjoint: false };
        return checkOp({ name: `resize ${JSON.stringify(opts)}`, inputs: [x], gpu: ([t]) => rg.resize(t, opts), ref: (xs) => T.resize.reference(xs, attrs) });
      },
    ));

  test('the backward of the backward is the forward (createGraph)', async () => {
    const x = rg.tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3], { requiresGrad: true });
    const y = rg.interpolate(x, { size: [3, 5], mode: 'bilinear' });
    const v = rg.tensor(Array.from({ length: 15 }, (_, i) => i % 4), [1, 1, 3, 5], { requiresGrad: true });
    const [gx] = rg.grad(rg.sum(rg.mul(y, v)), [x], { createGraph: true });
    rg.sum(rg.mul(gx, x)).backward(); // d/dv of <R^T v, x> = R x
    expectClose(await v.grad!.data(), await y.data(), { atol: 1e-6, rtol: 1e-6 }, 'R x');
  });

  test('errors name the op and the values', () => {
    const x = rg.zeros([1, 2, 3, 4]);
    expect(() => rg.interpolate(x, { size: [2, 2], scaleFactor: 2 })).toThrow(/interpolate: give exactly one of size and scaleFactor/);
    expect(() => rg.interpolate(x, { size: 5, mode: 'linear' })).toThrow(/interpolate: mode 'linear' needs a 3-D input, got \[1, 2, 3, 4\]/);
    expect(() => rg.interpolate(x, { size: 5, alignCorners: true })).toThrow(/interpolate: alignCorners applies only to linear, bilinear and bicubic modes, not 'nearest'/);
    expect(() => rg.interpolate(x, { size: [2, 0] })).toThrow(/interpolate: output sizes must be positive integers, got \[2, 0\]/);
    expect(() => rg.interpolate(x, { size: [2, 2, 2] })).toThrow(/interpolate: expected 2 sizes for input \[1, 2, 3, 4\], got 3/);
    expect(() => rg.interpolate(x, { size: 3, mode: 'trilinear' as never })).toThrow(/interpolate: mode must be/);
    expect(() => rg.resize(x, { scales: [0.1, 1] })).toThrow(/resize: scales \[0.1, 1\] make an empty output from \[3, 4\]/);
    expect(() => rg.resize(x, { size: [2, 2], coordinateTransformationMode: 'tf_half_pixel' as never })).toThrow(/resize: coordinateTransformationMode must be one of/);
    expect(() => rg.resize(x, { size: [2, 2], coordinateTransformationMode: 'tf_crop_and_resize', roi: [0, 1] })).toThrow(/resize: roi must hold 4 finite numbers \(the starts, then the ends, of the resized axes\), got \[0, 1\]/);
    expect(() => rg.resize(x, { size: [2, 2, 2, 2] })).toThrow(/resize: resizes the last 1 or 2 axes; got 4 sizes/);
  });
});

describe('convTranspose2d', () => {
  const arb = fc.record({
    N: fc.constantFrom(1, 2), groups: fc.constantFrom(1, 1, 2), cg: fc.constantFrom(1, 2, 8), og: fc.constantFrom(1, 3, 8),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
    dilation: fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 2)), H: fc.integer({ min: 1, max: 5 }), W: fc.integer({ min: 1, max: 6 }), bias: fc.boolean(), pick: fc.nat(),
  }).chain((g) => {
    const padding: [number, number] = [g.pick % (g.dilation[0] * (g.k[0] - 1) + 1), (g.pick >> 2) % (g.dilation[1] * (g.k[1] - 1) + 1)].map((p) => Math.min(p, 1)) as [number, number];
    const outputPadding: [number, number] = [(g.pick >> 4) % g.stride[0], (g.pick >> 6) % g.stride[1]];
    const C = g.groups * g.cg;
    const xs = [g.N, C, g.H, g.W];
    const ws = [C, g.og, ...g.k];
    return fc.tuple(valuesOf(xs, -1, 1), valuesOf(ws, -1, 1), valuesOf([g.groups * g.og], -1, 1)).map(([x, w, b]) => ({ ...g, padding, outputPadding, x, w, b }));
  }).filter((g) => (g.H - 1) * g.stride[0] - 2 * g.padding[0] + g.dilation[0] * (g.k[0] - 1) + g.outputPadding[0] >= 0 && (g.W - 1) * g.stride[1] - 2 * g.padding[1] + g.dilation[1] * (g.k[1] - 1) + g.outputPadding[1] >= 0);
  for (const variant of ['blocked', 'tiled'] as const) {
    test(`${variant} kernels: any geometry against the reference, gradients to input, weight and bias`, async () => {
      rg.setKernelVariant('conv', variant);
      try {
        await property(arb, (g) => {
          const attrs = { stride: g.stride, padding: g.padding, outputPadding: g.outputPadding, dilation: g.dilation, groups: g.groups };
          const inputs = [g.x, g.w, ...(g.bias ? [g.b] : [])];
          return checkOp({ name: `convTranspose2d ${JSON.stringify(attrs)}`, inputs, gpu: ([a, k, c]) => rg.convTranspose2d(a, k, c, attrs), ref: (ins) => T.convTranspose2d.reference(ins, attrs) });
        }, 8);
      } finally {
        rg.setKernelVariant('conv', 'auto');
      }
    });
  }

  test("PyTorch's outputs and gradients; 1-D by the 2-D op", async () => {
    for (const c of fixture.convTranspose2d as any[]) {
      const what = JSON.stringify({ stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, groups: c.groups, dilation: c.dilation });
      const [x, w, b] = [rg.tensor(c.x, c.xshape, { requiresGrad: true }), rg.tensor(c.w, c.wshape, { requiresGrad: true }), rg.tensor(c.b, [c.b.length], { requiresGrad: true })];
      const y = rg.convTranspose2d(x, w, b, JSON.parse(what)); // the fixture's options, not its data
      expect(y.shape, what).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-5, rtol: 1e-5 }, what);
      const weights = rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape);
      rg.sum(rg.mul(y, weights)).backward();
      for (const [i, t] of [x, w, b].entries()) expectClose(await t.grad!.data(), c.grads[i], { atol: 1e-4, rtol: 1e-5 }, `${what}: gradient ${i}`);
    }
    const x1 = rg.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const w1 = rg.tensor([1, -1, 2, 0.5, 0, 1, 1, 1], [2, 2, 2]);
    const y1 = rg.convTranspose1d(x1, w1, null, { stride: 2 });
    const y2 = rg.convTranspose2d(rg.reshape(x1, [1, 2, 1, 3]), rg.reshape(w1, [2, 2, 1, 2]), null, { stride: [1, 2] });
    expect(y1.shape).toEqual([1, 2, 6]);
    expect([...(await y1.data())]).toEqual([...(await y2.data())]);
  });

  test('createGraph: second derivatives through the graph rule match finite differences (groups 1)', async () => {
    const x = rg.tensor([0.5, -1, 2, 0.25, 1.5, -0.5], [1, 1, 2, 3], { requiresGrad: true });
    const w = rg.tensor([1, -0.5, 0.25, 2, -1, 0.75, 0.5, 1.5], [1, 2, 2, 2], { requiresGrad: true });
    const r = await rg.gradgradcheck((a, k) => rg.sum(rg.pow(rg.convTranspose2d(a, k, null, { stride: 2, padding: [1, 0], outputPadding: 1 }), 2)), [x, w], { directions: 2, seed: 3 });
    for (const c of r.checks) expect(c.pass, JSON.stringify(c)).toBe(true);
  });

  test('errors name the op and the values', () => {
    const x = rg.zeros([1, 4, 3, 3]);
    expect(() => rg.convTranspose2d(x, rg.zeros([3, 2, 2, 2]))).toThrow(/convTranspose2d: weight \[3, 2, 2, 2\] expects 3 input channels, got input \[1, 4, 3, 3\]/);
    expect(() => rg.convTranspose2d(x, rg.zeros([4, 2, 2, 2]), null, { stride: 2, outputPadding: 2 })).toThrow(/convTranspose2d: outputPadding \[2, 2\] must be smaller than the stride \[2, 2\]/);
    expect(() => rg.convTranspose2d(x, rg.zeros([4, 2, 2, 2]), null, { groups: 3 })).toThrow(/convTranspose2d: groups \(3\) must divide the input channels \(4\)/);
    expect(() => rg.convTranspose2d(x, rg.zeros([4, 2, 2, 2]), rg.zeros([2]), { groups: 2 })).toThrow(/convTranspose2d: bias must be \[4\] for weight \[4, 2, 2, 2\] and groups 2, got \[2\]/);
    expect(() => rg.convTranspose2d(x, rg.zeros([4, 2, 1, 1]), null, { padding: 2 })).toThrow(/convTranspose2d: padding \[2, 2\] leaves an empty output/);
    expect(() => rg.convTranspose2d(x, rg.zeros([4, 2, 1, 1]), null, { stride: 0 })).toThrow(/convTranspose2d: stride must be an integer >= 1/);
  });
});

describe('pooling: ceil mode, dilation, indices', () => {
  /** Every window has a tap inside the input (else PyTorch's max is -inf: a dilated window over padding only). */
  const tapsInside = (g: { k: number; s: number; p: number; d: number; ceil: boolean }, n: number) => {
    const span = n + 2 * g.p - g.d * (g.k - 1) - 1;
    let out = (g.ceil ? Math.ceil(span / g.s) : Math.floor(span / g.s)) + 1;
    if (g.ceil && (out - 1) * g.s >= n + g.p) out--;
    for (let o = 0; o < out; o++) if (![...Array(g.k).keys()].some((j) => o * g.s - g.p + j * g.d >= 0 && o * g.s - g.p + j * g.d < n)) return false;
    return true;
  };
  const arb = fc.record({ lead: fc.constantFrom([1, 2], [2, 1], [3]), H: fc.integer({ min: 1, max: 8 }), W: fc.integer({ min: 1, max: 8 }), k: fc.constantFrom(1, 2, 3), s: fc.constantFrom(1, 2, 3), p: fc.constantFrom(0, 1), d: fc.constantFrom(1, 2, 3), ceil: fc.boolean(), include: fc.boolean() })
    .filter((g) => 2 * g.p <= g.k && g.H + 2 * g.p >= (g.k - 1) * g.d + 1 && g.W + 2 * g.p >= (g.k - 1) * g.d + 1 && tapsInside(g, g.H) && tapsInside(g, g.W));
  const distinctValues = (n: number) => fc.shuffledSubarray([...Array(400).keys()], { minLength: n, maxLength: n }).map((p) => p.map((v) => (v - 200) / 20));
  test('maxPool2d (dilation, ceilMode) and its indices against the reference', () =>
    property(arb.chain((g) => distinctValues(size([...g.lead, g.H, g.W])).map((data) => ({ g, data }))), async ({ g, data }) => {
      const opts = { kernel: g.k, stride: g.s, padding: g.p, dilation: g.d, ceilMode: g.ceil };
      const a = { kernel: [g.k, g.k] as [number, number], stride: [g.s, g.s] as [number, number], padding: [g.p, g.p] as [number, number], dilation: [g.d, g.d] as [number, number], ceilMode: g.ceil };
      const shape = [...g.lead, g.H, g.W];
      await checkOp({ name: `maxPool2d ${JSON.stringify(opts)}`, inputs: [{ shape, data }], gpu: ([x]) => rg.maxPool2d(x, opts), ref: (xs) => T.maxPool2d.reference(xs, a) });
      const { values, indices } = rg.maxPool2dWithIndices(rg.tensor(data, shape), opts);
      expect([...(await indices.data())]).toEqual([...T.maxPool2dIndices.reference([{ shape, data: Float64Array.from(data) }], a).data]);
      values.dispose();
      indices.dispose();
    }));
  test('avgPool2d (ceilMode, with and without the padding in the divisor) against the reference', () =>
    property(arb.filter((g) => g.d === 1).chain((g) => valuesOf([...g.lead, g.H, g.W]).map((x) => ({ g, x }))), ({ g, x }) => {
      const opts = { kernel: g.k, stride: g.s, padding: g.p, countIncludePad: g.include, ceilMode: g.ceil };
      const a = { kernel: [g.k, g.k] as [number, number], stride: [g.s, g.s] as [number, number], padding: [g.p, g.p] as [number, number], countIncludePad: g.include, ceilMode: g.ceil };
      return checkOp({ name: `avgPool2d ${JSON.stringify(opts)}`, inputs: [x], gpu: ([t]) => rg.avgPool2d(t, opts), ref: (xs) => T.avgPool2d.reference(xs, a) });
    }));

  test("PyTorch's values, indices and gradients", async () => {
    const mp = fixture.maxPool2d as { x: number[]; xshape: number[]; cases: any[] };
    for (const c of mp.cases) {
      const what = JSON.stringify({ kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode });
      const x = rg.tensor(mp.x, mp.xshape, { requiresGrad: true });
      const { values, indices } = rg.maxPool2dWithIndices(x, JSON.parse(what)); // the fixture's options, not its data
      expect(values.shape, what).toEqual(c.shape);
      expectClose(await values.data(), c.y, { atol: 1e-6, rtol: 1e-6 }, what);
      expect([...(await indices.data())], what).toEqual(c.indices);
      rg.sum(rg.mul(values, rg.tensor(Array.from({ length: values.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), values.shape))).backward();
      expectClose(await x.grad!.data(), c.grads[0], { atol: 1e-6, rtol: 1e-6 }, `${what}: gradient`);
    }
    const ap = fixture.avgPool2d as { x: number[]; xshape: number[]; cases: any[] };
    for (const c of ap.cases) {
      const what = JSON.stringify(c).slice(0, 90);
      const x = rg.tensor(ap.x, ap.xshape, { requiresGrad: true });
      const y = rg.avgPool2d(x, { kernel: c.kernel, stride: c.stride, padding: c.padding, countIncludePad: c.countIncludePad, ceilMode: true });
      expect(y.shape, what).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-6, rtol: 1e-6 }, what);
      rg.sum(rg.mul(y, rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape))).backward();
      expectClose(await x.grad!.data(), c.grads[0], { atol: 1e-6, rtol: 1e-6 }, `${what}: gradient`);
    }
  });

  test("padding beyond half the kernel (ONNX's pools allow it) against the reference", async () => {
    const data = Array.from({ length: 2 * 5 * 4 }, (_, i) => ((i * 37) % 40) / 8 - 2.5);
    for (const [k, p, include] of [[3, 2, true], [3, 2, false], [2, 1, true], [4, 3, false]] as const) {
      const a = { kernel: [k, k] as [number, number], stride: [1, 2] as [number, number], padding: [p, p] as [number, number] };
      await checkOp({ name: `maxPool2d k ${k} p ${p}`, inputs: [{ shape: [1, 2, 5, 4], data }], gpu: ([x]) => rg.maxPool2d(x, a), ref: (xs) => T.maxPool2d.reference(xs, { ...a, dilation: [1, 1], ceilMode: false }) });
      await checkOp({ name: `avgPool2d k ${k} p ${p}`, inputs: [{ shape: [1, 2, 5, 4], data }], gpu: ([x]) => rg.avgPool2d(x, { ...a, countIncludePad: include }), ref: (xs) => T.avgPool2d.reference(xs, { ...a, countIncludePad: include, ceilMode: false }) });
    }
  });

  test('errors name the op and the values', () => {
    const x = rg.zeros([1, 1, 4, 4]);
    expect(() => rg.maxPool2d(x, { kernel: 3, padding: 3 })).toThrow(/maxPool2d: padding \[3, 3\] must be smaller than the kernel \[3, 3\]/);
    expect(() => rg.maxPool2d(x, { kernel: 2, dilation: 0 })).toThrow(/maxPool2d: dilation must be an integer >= 1/);
    expect(() => rg.maxPool2d(x, { kernel: 3, dilation: 2 })).toThrow(/maxPool2d: kernel 3x3 is larger than the padded input/);
  });
});

/** A reference for a composition: fn run on the float64 reference backend with the inputs bound to xs. */
function referenceOf(shapes: number[][], fn: (ts: rg.Tensor[]) => rg.Tensor): (xs: rg.F64[]) => rg.F64 {
  const stand = shapes.map((s) => rg.zeros(s));
  return (xs) => rg.withBackend('reference', () => fn(stand).ref!, new Map(stand.map((t, i) => [t, xs[i]])));
}

describe("pad's modes: reflect, replicate, circular", () => {
  test("PyTorch's values and gradients", async () => {
    for (const c of fixture.pad as { mode: 'reflect' | 'replicate' | 'circular'; pads: number[]; x: number[]; xshape: number[]; shape: number[]; y: number[]; grads: number[][] }[]) {
      const what = `${c.mode} [${c.pads}] on [${c.xshape}]`;
      const x = rg.tensor(c.x, c.xshape, { requiresGrad: true });
      const y = rg.pad(x, c.pads, { mode: c.mode });
      expect(y.shape, what).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-7, rtol: 0 }, what); // copies: exact up to the fixture's 8 digits
      rg.sum(rg.mul(y, rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape))).backward();
      expectClose(await x.grad!.data(), c.grads[0], { atol: 1e-6, rtol: 1e-6 }, `${what}: gradient`);
    }
  });

  test('any axes and pads within the limits: forward and gradients against the reference', () =>
    property(fc.record({ s: shapeArb(1, 3), mode: fc.constantFrom('reflect', 'replicate', 'circular') as fc.Arbitrary<'reflect' | 'replicate' | 'circular'>, raw: fc.array(fc.integer({ min: -2, max: 40 }), { minLength: 6, maxLength: 6 }) }).chain(({ s, mode, raw }) => {
      const axes = Math.min(s.length, 1 + (raw[0] % s.length));
      const pads = raw.slice(0, 2 * axes).map((p, i) => {
        const n = s[s.length - 1 - Math.floor(i / 2)];
        const most = mode === 'reflect' ? n - 1 : mode === 'circular' ? n : 6;
        return p < 0 ? Math.max(p, -Math.floor((n - 1) / 2)) : p % (most + 1);
      });
      return valuesOf(s).map((x) => ({ x, mode, pads }));
    }), ({ x, mode, pads }) =>
      checkOp({ name: `pad ${mode} [${pads}]`, inputs: [x], gpu: ([t]) => rg.pad(t, pads, { mode }), ref: referenceOf([x.shape], ([t]) => rg.pad(t, pads, { mode })) }),
    ));

  test('i32 data, no pads, and the errors', async () => {
    const xi = rg.tensor([1, 2, 3], [3], { dtype: 'i32' });
    expect([...(await rg.pad(xi, [2, 1], { mode: 'reflect' }).data())]).toEqual([3, 2, 1, 2, 3, 2]);
    expect([...(await rg.pad(xi, [0, 0], { mode: 'circular' }).data())]).toEqual([1, 2, 3]);
    expect([...(await rg.pad(xi, [1, 2], { mode: 'circular', value: 5 }).data())]).toEqual([3, 1, 2, 3, 1, 2]);
    expect([...(await rg.pad(xi, [1, 2], { value: 5 }).data())]).toEqual([5, 1, 2, 3, 5, 5]);
    expect(() => rg.pad(xi, [3, 0], { mode: 'reflect' })).toThrow(/pad: mode 'reflect' needs pads smaller than the axis \(3\); got 3 on axis 0 of input \[3\]/);
    expect(() => rg.pad(xi, [0, 4], { mode: 'circular' })).toThrow(/pad: mode 'circular' needs pads at most the axis \(3\); got 4/);
    expect(() => rg.pad(rg.zeros([2, 0]), [1, 1], { mode: 'replicate' })).toThrow(/pad: mode 'replicate' needs pads on a non-empty axis; got 1 on axis 1/);
    expect(() => rg.pad(xi, [1, 1], { mode: 'edge' as never })).toThrow(/pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got 'edge'/);
  });
});

describe('cumsum options (exclusive, reverse)', () => {
  test("ONNX CumSum's examples", async () => {
    const x = rg.tensor([1, 2, 3, 4, 5], [5]);
    expect([...(await rg.cumsum(x, 0, { exclusive: true }).data())]).toEqual([0, 1, 3, 6, 10]);
    expect([...(await rg.cumsum(x, 0, { reverse: true }).data())]).toEqual([15, 14, 12, 9, 5]);
    expect([...(await x.cumsum(0, { exclusive: true, reverse: true }).data())]).toEqual([14, 12, 9, 5, 0]);
  });
  for (const exclusive of [false, true])
    for (const reverse of [false, true])
      test(`exclusive ${exclusive}, reverse ${reverse}: forward and gradients against the reference`, () =>
        property(shapeArb(1, 3).chain((s) => fc.tuple(valuesOf(s), fc.nat(s.length - 1))), ([x, axis]) =>
          checkOp({ name: `cumsum ${axis}`, inputs: [x], gpu: ([t]) => rg.cumsum(t, axis, { exclusive, reverse }), ref: (xs) => T.cumsum.reference(xs, { axis, exclusive, reverse }) }),
        ));
});

describe('compositions: oneHot, prelu, instanceNorm, localResponseNorm', () => {
  const weightsFor = (y: rg.Tensor) => rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape);
  test("PyTorch's values and gradients", async () => {
    const IN = fixture.instanceNorm;
    const [x, w, b] = [rg.tensor(IN.x, IN.xshape, { requiresGrad: true }), rg.tensor(IN.w, [3], { requiresGrad: true }), rg.tensor(IN.b, [3], { requiresGrad: true })];
    const y = rg.instanceNorm(x, w, b);
    expectClose(await y.data(), IN.y, { atol: 1e-5, rtol: 1e-5 }, 'instanceNorm');
    rg.sum(rg.mul(y, weightsFor(y))).backward();
    for (const [i, t] of [x, w, b].entries()) expectClose(await t.grad!.data(), IN.grads[i], { atol: 1e-4, rtol: 1e-5 }, `instanceNorm gradient ${i}`);

    for (const c of fixture.localResponseNorm) {
      const xt = rg.tensor(c.x, c.xshape, { requiresGrad: true });
      const yt = rg.localResponseNorm(xt, c.size, 0.01, 0.75, 2);
      expectClose(await yt.data(), c.y, { atol: 1e-6, rtol: 1e-6 }, `localResponseNorm size ${c.size}`);
      rg.sum(rg.mul(yt, weightsFor(yt))).backward();
      expectClose(await xt.grad!.data(), c.grads[0], { atol: 1e-5, rtol: 1e-5 }, `localResponseNorm size ${c.size}: gradient`);
    }

    const P = fixture.prelu;
    const [px, pw] = [rg.tensor(P.x, P.xshape, { requiresGrad: true }), rg.tensor(P.w, [3], { requiresGrad: true })];
    const py = rg.prelu(px, pw);
    expectClose(await py.data(), P.y, { atol: 1e-6, rtol: 1e-6 }, 'prelu');
    rg.sum(rg.mul(py, weightsFor(py))).backward();
    for (const [i, t] of [px, pw].entries()) expectClose(await t.grad!.data(), P.grads[i], { atol: 1e-5, rtol: 1e-5 }, `prelu gradient ${i}`);
  });

  test("localResponseNorm with ONNX's window (before = floor((size - 1) / 2)) and instanceNorm without affine", async () => {
    const x = rg.tensor([1, 2, 3, 4], [1, 4, 1]);
    // ONNX LRN, size 2: channel c sums c and c + 1
    const y = rg.localResponseNorm(x, 2, 1, 1, 1, { before: 0 });
    expectClose(await y.data(), [1 / (1 + (1 + 4) / 2), 2 / (1 + (4 + 9) / 2), 3 / (1 + (9 + 16) / 2), 4 / (1 + 16 / 2)], { atol: 1e-6, rtol: 1e-6 }, 'LRN');
    const n = rg.instanceNorm(rg.tensor([1, 3, 5, 7], [1, 1, 4]), null, null, 1e-3);
    expectClose(await n.data(), [-3, -1, 1, 3].map((v) => v / Math.sqrt(5.001)), { atol: 1e-6, rtol: 1e-6 }, 'instanceNorm');
    expect(() => rg.instanceNorm(rg.zeros([1, 2, 3]), null, null, 0)).toThrow(/instanceNorm: eps must be a positive finite number, got 0/);
    expect(() => rg.instanceNorm(rg.zeros([2, 3]))).toThrow(/instanceNorm: input must be \[N, C, ...\] with at least one trailing axis, got \[2, 3\]/);
    expect(() => rg.localResponseNorm(rg.zeros([1, 2, 3]), 0)).toThrow(/localResponseNorm: size must be a positive integer, got 0/);
    expect(() => rg.prelu(rg.zeros([1, 2, 3]), rg.zeros([3]))).toThrow(/prelu: weight \[3\] must have 1 or 2 \(the channels of input \[1, 2, 3\]\) elements/);
  });

  test('oneHot', async () => {
    const y = rg.oneHot(rg.tensor([2, 0, 1], [3], { dtype: 'i32' }));
    expect(y.dtype).toBe('i32');
    expect(y.shape).toEqual([3, 3]);
    expect([...(await y.data())]).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(rg.oneHot(rg.tensor([[1], [0]], [2, 1], { dtype: 'i32' }), 4).shape).toEqual([2, 1, 4]);
    expect(() => rg.oneHot(rg.tensor([3], [1], { dtype: 'i32' }), 3)).toThrow(/oneHot: class index 3 at position 0 is outside \[0, 3\)/);
    expect(() => rg.oneHot(rg.tensor([1], [1]), 3)).toThrow(/oneHot: indices must be i32/);
    expect(() => rg.oneHot(rg.cast(rg.tensor([1], [1]), 'i32'))).toThrow(/oneHot: numClasses -1 needs indices made on the host/);
  });

  test('gradients against finite differences of the reference backend', async () => {
    await property(fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 3, 5), fc.constantFrom(1, 4), fc.integer({ min: 1, max: 5 })).chain(([N, C, L, size]) =>
      fc.tuple(valuesOf([N, C, L]), valuesOf([C], 0.5, 1.5), valuesOf([C])).map(([x, w, b]) => ({ x, w, b, size }))), async ({ x, w, b, size }) => {
      await checkOp({ name: `localResponseNorm ${size}`, inputs: [x], gpu: ([t]) => rg.localResponseNorm(t, size, 0.1, 0.75, 1), ref: referenceOf([x.shape], ([t]) => rg.localResponseNorm(t, size, 0.1, 0.75, 1)) });
      await checkOp({ name: 'prelu', inputs: [{ ...x, data: x.data.map((v) => (Math.abs(v) < 0.02 ? 0.05 : v)) }, { ...w, data: w.data.map((v) => v - 1) }], gpu: ([t, k]) => rg.prelu(t, k), ref: referenceOf([x.shape, w.shape], ([t, k]) => rg.prelu(t, k)) });
      if (x.shape[2] > 1) await checkOp({ name: 'instanceNorm', inputs: [x, w, b], gpu: ([t, k, c]) => rg.instanceNorm(t, k, c), ref: referenceOf([x.shape, w.shape, b.shape], ([t, k, c]) => rg.instanceNorm(t, k, c)) });
    }, 8);
  });
});

describe('einsum', () => {
  test("PyTorch's values and gradients (matmul, batched, transpose, dot, attention scores, sum, ellipsis, diagonal, outer, three operands, implicit output)", async () => {
    for (const c of fixture.einsum as { equation: string; shapes: number[][]; xs: number[][]; shape: number[]; y: number[]; grads: number[][] }[]) {
      const xs = c.xs.map((v, i) => rg.tensor(v, c.shapes[i], { requiresGrad: true }));
      const y = rg.einsum(c.equation, ...xs);
      expect(y.shape, c.equation).toEqual(c.shape);
      expectClose(await y.data(), c.y, { atol: 1e-5, rtol: 1e-5 }, c.equation);
      rg.sum(rg.mul(y, rg.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919) % 13) / 6.5 - 1), y.shape))).backward();
      for (const [i, t] of xs.entries()) expectClose(await t.grad!.data(), c.grads[i], { atol: 1e-5, rtol: 1e-5 }, `${c.equation}: gradient ${i}`);
    }
  });

  test('broadcast size-1 axes, repeated letters across three operands, and no intermediates left behind', async () => {
    const a = rg.tensor([1, 2, 3], [1, 3]);
    const b = rg.tensor([1, 10, 100, 1000, 1, 1], [2, 3]);
    expect([...(await rg.einsum('ij,ij->ij', a, b).data())]).toEqual([1, 20, 300, 1000, 2, 3]);
    expect([...(await rg.einsum('ij,ij,ij->i', a, b, b).data())]).toEqual([1 + 2 * 10 * 10 + 3 * 100 * 100, 1000 * 1000 + 2 + 3]);
    const before = rg.memory().liveTensors;
    const y = rg.einsum('bn,anm,bm->ba', rg.ones([2, 3]), rg.ones([4, 3, 5]), rg.ones([2, 5]));
    expect([...(await y.data())]).toEqual(Array(8).fill(15));
    y.dispose();
    expect(rg.memory().liveTensors - before).toBeLessThanOrEqual(3); // the three operands, not yet collected
  });

  test('errors name the equation and the problem', () => {
    const x = rg.zeros([2, 3]);
    expect(() => rg.einsum('ij,jk->ik', x)).toThrow(/einsum: equation 'ij,jk->ik' names 2 operands, got 1/);
    expect(() => rg.einsum('ijk->i', x)).toThrow(/einsum: operand 0 has 2 axes but 'ijk' names 3/);
    expect(() => rg.einsum('ij,ij->i', x, rg.zeros([3, 2]))).toThrow(/einsum: letter 'i' stands for sizes 2 and 3/);
    expect(() => rg.einsum('ij->k', x)).toThrow(/einsum: output letter 'k' appears in no operand/);
    expect(() => rg.einsum('ij->ii', x)).toThrow(/einsum: output letter 'i' appears twice/);
    expect(() => rg.einsum('i1->i', x)).toThrow(/einsum: '1' in operand 0 \('i1'\) is not a letter/);
    expect(() => rg.einsum('ii->i', x)).toThrow(/einsum: letter 'i' stands for sizes 2 and 3/);
  });
});

describe('compiled steps', () => {
  test('a step through the new ops gives the same bits compiled as eager', async () => {
    const run = async (compiled: boolean) => {
      rg.manualSeed(3);
      const w = rg.randn([2, 3, 3, 3], { requiresGrad: true });
      const opt = new rg.SGD([w], { lr: 0.01 });
      const idx = rg.tensor([[0, 1], [1, 0]], [2, 2], { dtype: 'i32' });
      const body = (x: rg.Tensor) => {
        const h = rg.convTranspose2d(rg.pad(x, [1, 1, 1, 0], { mode: 'reflect' }), w, null, { stride: 2, outputPadding: 1 });
        const r = rg.interpolate(rg.hardswish(h), { size: [5, 7], mode: 'bicubic' });
        const l = rg.sum(rg.pow(rg.gatherNd(r, idx), 2));
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l;
      };
      const step = compiled ? rg.compile(body) : (x: rg.Tensor) => rg.tidy(() => body(x));
      const out: number[][] = [];
      for (let i = 0; i < 5; i++) {
        const x = rg.tensor(Array.from({ length: 2 * 2 * 3 * 4 }, (_, j) => Math.sin(i + j)), [2, 2, 3, 4]);
        const l = step(x);
        out.push(Array.from(new Uint32Array((await l.data()).buffer)));
        l.dispose();
        x.dispose();
      }
      if (compiled) {
        expect((step as rg.CompiledFunction<[rg.Tensor], rg.Tensor>).stats.replays, 'really replayed').toBeGreaterThanOrEqual(2);
        (step as rg.CompiledFunction<[rg.Tensor], rg.Tensor>).reset();
      }
      out.push(Array.from(new Uint32Array((await w.data()).buffer)));
      opt.dispose();
      w.dispose();
      idx.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });
});
