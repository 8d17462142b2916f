// The losses: fused and unfused against the f64 reference (values and finite-difference gradients),
// numerics at the extremes, the k -> infinity limit, and bad input.
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { accounted, checkOp, expectClose, property, rg, setup, tol, valuesArb } from './helpers.js';
import type { Reduction } from '../src/ops/def.js';

const T = rg.opTable();
beforeAll(setup);

const reductionArb = fc.constantFrom<Reduction>('mean', 'sum', 'none');
const multiclassArb = fc
  .tuple(fc.constantFrom(1, 2, 3, 7, 17), fc.constantFrom(2, 3, 4, 5, 8, 10, 65, 132), reductionArb, fc.boolean())
  .chain(([N, C, reduction, fused]) =>
    fc.tuple(valuesArb(N * C, -4, 4), fc.array(fc.nat(C - 1), { minLength: N, maxLength: N })).map(([z, y]) => ({ N, C, z, y, reduction, fused })),
  );
const kmArb = fc.tuple(fc.constantFrom(1, 2, 3, 5, 10), fc.constantFrom(1, 3, 5));

describe('multiclass losses against the f64 reference (fused and unfused)', () => {
  test('crossEntropy', () =>
    property(multiclassArb, ({ N, C, z, y, reduction, fused }) =>
      checkOp({ name: `crossEntropy fused=${fused}`, inputs: [{ shape: [N, C], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.crossEntropy(a, b, { reduction, fused }), ref: (xs) => T.crossEntropy.reference(xs, { reduction, ignoreIndex: -100, labelSmoothing: 0 }) }),
    ));
  test('focalLoss', () =>
    property(fc.tuple(multiclassArb, fc.constantFrom(0.25, 1), fc.constantFrom(0, 1, 2, 3, 0.5)), ([{ N, C, z, y, reduction, fused }, alpha, gamma]) =>
      checkOp({ name: `focalLoss fused=${fused} gamma=${gamma}`, inputs: [{ shape: [N, C], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.focalLoss(a, b, { reduction, fused, alpha, gamma }), ref: (xs) => T.focalLoss.reference(xs, { reduction, alpha, gamma, ignoreIndex: -100 }) }),
    ));
  test('rootedLoss', () =>
    property(fc.tuple(multiclassArb, kmArb), ([{ N, C, z, y, reduction, fused }, [k, m]]) =>
      checkOp({ name: `rootedLoss fused=${fused} k=${k} m=${m}`, inputs: [{ shape: [N, C], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.rootedLoss(a, b, { reduction, fused, k, m }), ref: (xs) => T.rootedLoss.reference(xs, { reduction, k, m, ignoreIndex: -100 }) }),
    ));
});

describe('both row kernels (one invocation per row, one workgroup per row) give the same losses', () => {
  for (const variant of ['thread', 'workgroup'] as const) {
    test(`${variant}: rootedLoss and focalLoss against the reference`, async () => {
      rg.setKernelVariant('lossRows', variant);
      try {
        await property(fc.tuple(multiclassArb, kmArb), ([{ N, C, z, y, reduction }, [k, m]]) =>
          checkOp({ name: `rootedLoss ${variant} k=${k}`, inputs: [{ shape: [N, C], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.rootedLoss(a, b, { reduction, k, m }), ref: (xs) => T.rootedLoss.reference(xs, { reduction, k, m, ignoreIndex: -100 }) }),
        );
        await property(multiclassArb, ({ N, C, z, y, reduction }) =>
          checkOp({ name: `focalLoss ${variant}`, inputs: [{ shape: [N, C], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.focalLoss(a, b, { reduction }), ref: (xs) => T.focalLoss.reference(xs, { reduction, alpha: 0.25, gamma: 3, ignoreIndex: -100 }) }),
        );
      } finally {
        rg.setKernelVariant('lossRows', 'auto');
      }
    });
  }
});

describe('binary losses against the f64 reference (fused and unfused)', () => {
  const binaryArb = fc.tuple(fc.constantFrom(1, 2, 5, 17, 300), reductionArb, fc.boolean()).chain(([N, reduction, fused]) =>
    fc.tuple(valuesArb(N, -6, 6), fc.array(fc.constantFrom(0, 1), { minLength: N, maxLength: N })).map(([z, y]) => ({ N, z, y, reduction, fused })),
  );
  test('rootedLogisticLoss', () =>
    property(fc.tuple(binaryArb, fc.constantFrom(1, 2, 3, 8)), ([{ N, z, y, reduction, fused }, k]) =>
      checkOp({ name: `rootedLogisticLoss fused=${fused} k=${k}`, inputs: [{ shape: [N], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.rootedLogisticLoss(a, b, { reduction, fused, k }), ref: (xs) => T.rootedLogisticLoss.reference(xs, { reduction, k }) }),
    ));
  test('binaryCrossEntropy', () =>
    property(binaryArb, ({ N, z, y, reduction, fused }) =>
      checkOp({ name: `binaryCrossEntropy fused=${fused}`, inputs: [{ shape: [N], data: z }, { shape: [N], data: y, int: true }], gpu: ([a, b]) => rg.binaryCrossEntropy(a, b, { reduction, fused }), ref: (xs) => T.binaryCrossEntropy.reference(xs, { reduction }) }),
    ));
});

/** Loss and dL/dlogits from the GPU. */
async function lossAndGrad(fn: (z: rg.Tensor, y: rg.Tensor) => rg.Tensor, z: number[], shape: number[], y: number[]) {
  const zt = rg.tensor(z, shape, { requiresGrad: true });
  const yt = rg.tensor(y, [y.length], { dtype: 'i32' });
  const l = fn(zt, yt);
  l.backward();
  const out = { loss: await l.item(), grad: await zt.grad!.data() };
  for (const t of [zt, yt, l, zt.grad!]) t.dispose();
  return out;
}

test('losses without a gradient (evaluation) use the same kernels, vec4 rows included', async () => {
  for (const C of [3, 8]) {
    const g = new rg.Generator(C);
    const z = Array.from({ length: 5 * C }, () => Math.fround(g.normal()));
    const y = [0, 1, 2, 1, 0];
    const zt = rg.tensor(z, [5, C]);
    const yt = rg.tensor(y, [5], { dtype: 'i32' });
    const got = await rg.noGrad(() => rg.rootedLoss(zt, yt)).item();
    const want = T.rootedLoss.reference([{ shape: [5, C], data: Float64Array.from(z) }, { shape: [5], data: Float64Array.from(y) }], { reduction: 'mean', k: 3, m: 3, ignoreIndex: -100 }).data[0];
    expect(got).toBeCloseTo(want, 5);
  }
});

describe('the rooted loss gradient', () => {
  test('equals (m/k) p_y^(1/k) (p - onehot(y)) / N, written by the fused kernel in the same pass', async () => {
    const z = [0.3, -1.2, 2.0, 0.5, 1.5, -0.7, 0.0, 0.9];
    const y = [2, 0];
    const [k, m, N, C] = [3, 3, 2, 4];
    const before = rg.memory().dispatches;
    const { grad } = await lossAndGrad((a, b) => rg.rootedLoss(a, b, { k, m }), z, [N, C], y);
    const want: number[] = [];
    for (let i = 0; i < N; i++) {
      const row = z.slice(i * C, i * C + C);
      const mx = Math.max(...row);
      const s = row.reduce((a, v) => a + Math.exp(v - mx), 0);
      const p = row.map((v) => Math.exp(v - mx) / s);
      for (let c = 0; c < C; c++) want.push(((m / k) * p[y[i]] ** (1 / k) * (p[c] - (c === y[i] ? 1 : 0))) / N);
    }
    expectClose(grad, want, { atol: 1e-7, rtol: 1e-5 }, 'rooted gradient');
    // loss+gradient, mean, then backward's scale by the upstream gradient (plus ones and the readbacks' own work)
    expect(rg.memory().dispatches - before).toBeLessThanOrEqual(5);
  });

  test('as k = m grows, rootedLoss tends to crossEntropy (values and gradients)', async () => {
    rg.manualSeed(5);
    const z = Array.from(await rg.randn([6 * 9], { std: 2 }).data());
    const y = [0, 3, 8, 1, 1, 5];
    const ce = await lossAndGrad((a, b) => rg.crossEntropy(a, b), z, [6, 9], y);
    let prev = Infinity;
    for (const k of [1, 10, 100, 1000, 10000]) {
      const r = await lossAndGrad((a, b) => rg.rootedLoss(a, b, { k, m: k }), z, [6, 9], y);
      const gap = Math.abs(r.loss - ce.loss);
      expect(gap).toBeLessThan(prev);
      prev = gap;
      if (k === 10000) {
        expect(gap / ce.loss).toBeLessThan(1e-3);
        expectClose(r.grad, ce.grad, { atol: 1e-5, rtol: 1e-3 }, 'gradient at k = m = 1e4');
      }
    }
  });
});

describe('numerics at the extremes', () => {
  const cases = [
    { C: 2, scale: 1e4 },
    { C: 1000, scale: 1e4 },
    { C: 50000, scale: 1e4 },
    { C: 50000, scale: 1 },
  ];
  for (const { C, scale } of cases) {
    test(`C = ${C}, logits of magnitude ${scale}: no NaN or Inf, and p_y underflowing in f32 is handled`, async () => {
      const N = 3;
      const g = new rg.Generator(C);
      const z = Array.from({ length: N * C }, () => Math.fround((g.uniform() * 2 - 1) * scale));
      // row 0: the label is the smallest logit, so p_y underflows (e^-2e4); row 1: the label is the largest.
      const row0 = z.slice(0, C);
      const y = [row0.indexOf(Math.min(...row0)), (() => { const r = z.slice(C, 2 * C); return r.indexOf(Math.max(...r)); })(), 0];
      const refIn = [{ shape: [N, C], data: Float64Array.from(z) }, { shape: [N], data: Float64Array.from(y) }];
      for (const k of [1, 3, 1000]) {
        for (const fused of [true, false]) {
          const r = await lossAndGrad((a, b) => rg.rootedLoss(a, b, { k, m: 3, fused }), z, [N, C], y);
          expect(Number.isFinite(r.loss), `rooted loss k=${k} fused=${fused}`).toBe(true);
          expect(r.grad.every(Number.isFinite), `rooted gradient k=${k} fused=${fused}`).toBe(true);
          const want = T.rootedLoss.reference(refIn, { reduction: 'mean', k, m: 3, ignoreIndex: -100 }).data[0];
          expect(Math.abs(r.loss - want)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want)));
        }
      }
      for (const [name, fn, ref] of [
        ['crossEntropy', (a: rg.Tensor, b: rg.Tensor) => rg.crossEntropy(a, b), () => T.crossEntropy.reference(refIn, { reduction: 'mean', ignoreIndex: -100, labelSmoothing: 0 })],
        ['focalLoss', (a: rg.Tensor, b: rg.Tensor) => rg.focalLoss(a, b), () => T.focalLoss.reference(refIn, { reduction: 'mean', alpha: 0.25, gamma: 3, ignoreIndex: -100 })],
      ] as const) {
        const r = await lossAndGrad(fn, z, [N, C], y);
        expect(Number.isFinite(r.loss), name).toBe(true);
        expect(r.grad.every(Number.isFinite), `${name} gradient`).toBe(true);
        const want = ref().data[0];
        expect(Math.abs(r.loss - want)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want)));
      }
    });
  }

  test('binary rooted loss: accurate while its value fits in f32 (|z| up to ~88k), never NaN beyond', async () => {
    for (const k of [1, 2, 8]) {
      const zs = [-80 * k, -40 * k, -5, 0, 5, 40 * k, 80 * k, 200 * k, -1e30, 1e30];
      const ys = zs.map((_, i) => i % 2);
      const zt = rg.tensor(zs, [zs.length], { requiresGrad: true });
      const yt = rg.tensor(ys, [ys.length], { dtype: 'i32' });
      const l = rg.rootedLogisticLoss(zt, yt, { k, reduction: 'none' });
      rg.sum(l).backward();
      const got = await l.data();
      const grad = await zt.grad!.data();
      const want = T.rootedLogisticLoss.reference([{ shape: [zs.length], data: Float64Array.from(zs.map(Math.fround)) }, { shape: [ys.length], data: Float64Array.from(ys) }], { reduction: 'none', k }).data;
      for (let i = 0; i < zs.length; i++) {
        expect(Number.isNaN(got[i]), `loss at z=${zs[i]}`).toBe(false);
        expect(Number.isNaN(grad[i]), `gradient at z=${zs[i]}`).toBe(false);
        if (want[i] < 3e38) expect(Math.abs(got[i] - want[i]), `k=${k} z=${zs[i]}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, want[i]));
      }
    }
  });
});

describe('bad input is refused with the loss and the value named', () => {
  const z = () => rg.zeros([2, 3]);
  const y = (v: number[]) => rg.tensor(v, [v.length], { dtype: 'i32' });
  test.each([
    ['label out of range', () => rg.rootedLoss(z(), y([0, 3])), 'rootedLoss: label 3 at position 1 is outside [0, 3)'],
    ['negative label', () => rg.crossEntropy(z(), y([-1, 0])), 'crossEntropy: label -1 at position 0 is outside [0, 3)'],
    ['k = 0', () => rg.rootedLoss(z(), y([0, 1]), { k: 0 }), 'rootedLoss: k must be a positive finite number, got 0'],
    ['k NaN', () => rg.rootedLoss(z(), y([0, 1]), { k: NaN }), 'rootedLoss: k must be a positive finite number, got NaN'],
    ['m < 0', () => rg.rootedLoss(z(), y([0, 1]), { m: -1 }), 'rootedLoss: m must be a positive finite number, got -1'],
    ['label count', () => rg.focalLoss(z(), y([0, 1, 2])), 'focalLoss: labels must be [N] = [2] for logits [2, 3], got [3]'],
    ['f32 labels', () => rg.crossEntropy(z(), rg.zeros([2])), 'crossEntropy: labels must be i32'],
    ['binary label 2', () => rg.rootedLogisticLoss(rg.zeros([2]), y([1, 2])), 'rootedLogisticLoss: labels must be 0 or 1, got 2 at position 1'],
    ['binary logits 2-D', () => rg.rootedLogisticLoss(z(), y([1, 0])), 'rootedLogisticLoss: logits must be [N], got [2, 3]'],
    ['bad reduction', () => rg.crossEntropy(z(), y([0, 1]), { reduction: 'avg' as Reduction }), "crossEntropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"],
  ])('%s', (_name, fn, message) => {
    // the case's own inputs are made inside tidy: a refused op must leave nothing behind once they are freed
    const before = accounted();
    expect(() => rg.tidy(fn)).toThrow(message);
    expect(accounted()).toEqual(before);
  });
});

test('the tolerances are tight enough to catch a 1% error in a value or a gradient', () => {
  expect(() => expectClose([1.01, 2], [1, 2], tol.forward, 'forward off by 1%')).toThrow();
  expect(() => expectClose([0.5, 1.01], [0.5, 1], tol.gradient, 'gradient off by 1%')).toThrow();
  expect(() => expectClose([1 + 1e-6, 2], [1, 2], tol.forward, 'f32 rounding')).not.toThrow();
});

describe('[..., C] logits, ignoreIndex and labelSmoothing', () => {
  const T2 = rg.opTable();
  const cases = fc.tuple(fc.constantFrom(1, 2), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 9 }), fc.constantFrom('mean', 'sum', 'none') as fc.Arbitrary<Reduction>).chain(([B, T, C, reduction]) =>
    fc.tuple(valuesArb(B * T * C, -4, 4), fc.array(fc.oneof(fc.nat(C - 1), fc.constant(-100)), { minLength: B * T, maxLength: B * T })).map(([z, y]) => ({ B, T, C, reduction, z, y })),
  );
  const losses = [
    ['crossEntropy', (z: rg.Tensor, y: rg.Tensor, o: object) => rg.crossEntropy(z, y, o), { labelSmoothing: 0 }],
    ['crossEntropy smoothed', (z: rg.Tensor, y: rg.Tensor, o: object) => rg.crossEntropy(z, y, { ...o, labelSmoothing: 0.2 }), { labelSmoothing: 0.2 }],
    ['focalLoss', (z: rg.Tensor, y: rg.Tensor, o: object) => rg.focalLoss(z, y, o), { alpha: 0.25, gamma: 3 }],
    ['rootedLoss', (z: rg.Tensor, y: rg.Tensor, o: object) => rg.rootedLoss(z, y, o), { k: 3, m: 3 }],
  ] as const;
  for (const [name, fn, extra] of losses) {
    test(`${name}: fused against the reference and the composition; GPU-made labels give the same`, () =>
      property(cases, async ({ B, T, C, reduction, z, y }) => {
        const prim = name.startsWith('crossEntropy') ? 'crossEntropy' : (name as 'focalLoss' | 'rootedLoss');
        const yt = rg.tensor(y, [B, T], { dtype: 'i32' });
        const ref = (xs: rg.F64[]) => {
          const rows = (T2[prim] as any).reference([{ shape: [B * T, C], data: xs[0].data }, { shape: [B * T], data: Float64Array.from(y) }], { reduction, ignoreIndex: -100, ...extra });
          return reduction === 'none' ? { shape: [B, T], data: rows.data } : rows;
        };
        await checkOp({ name, inputs: [{ shape: [B, T, C], data: z }], gpu: ([t]) => fn(t, yt, { reduction }), ref });
        const zt = rg.tensor(z, [B, T, C]);
        const fusedV = await fn(zt, yt, { reduction }).data();
        const unfusedV = await fn(zt, yt, { reduction, fused: false }).data();
        const gpuLabels = rg.cast(rg.tensor(y, [B, T]), 'i32'); // no host copy: the mean counts on the GPU
        const gpuV = await fn(zt, gpuLabels, { reduction }).data();
        for (let i = 0; i < fusedV.length; i++) {
          expect(unfusedV[i]).toBeCloseTo(fusedV[i], 4);
          expect(gpuV[i]).toBeCloseTo(fusedV[i], 5);
        }
        for (const t of [yt, zt, gpuLabels]) t.dispose();
      }));
  }

  test('every label ignored: a zero mean and zero gradients (PyTorch gives NaN); shapes and errors', async () => {
    const z = rg.randn([2, 3, 4], { requiresGrad: true });
    const y = rg.full([2, 3], -100, { dtype: 'i32' });
    const loss = rg.crossEntropy(z, y);
    expect(await loss.item()).toBe(0);
    loss.backward();
    expect([...(await z.grad!.data())].every((v) => v === 0)).toBe(true);
    expect(rg.rootedLoss(z, rg.zeros([2, 3], { dtype: 'i32' }), { reduction: 'none' }).shape).toEqual([2, 3]);
    expect(() => rg.crossEntropy(z, rg.zeros([3, 2], { dtype: 'i32' }))).toThrow('crossEntropy: labels must be [2, 3] for logits [2, 3, 4] (class axis last), got [3, 2]');
    expect(() => rg.crossEntropy(z, y, { labelSmoothing: 1.5 })).toThrow('crossEntropy: labelSmoothing must be in [0, 1], got 1.5');
    expect(() => rg.crossEntropy(z, rg.tensor(new Array(6).fill(4), [2, 3], { dtype: 'i32' }))).toThrow('crossEntropy: label 4 at position 0 is outside [0, 4)');
    z.zeroGrad();
  });
});
