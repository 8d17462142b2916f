// Every fused loss under every kernel variant, forced in turn (src/variants.ts: kernelSets(), not only
// this adapter's defaults), against the float64 reference: confident rows, huge (1e4) and tiny logits, and
// NaN (placed by its bits) or +-inf in ignored rows, which must never reach the loss or any gradient.
// First the regression tests of issue #34 (items 1, 2, 9), then the property test.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup, tol } from './helpers.js';
import { kernelSets, withKernelSet, type Variants } from '../src/variants.js';
import { rt } from '../src/runtime.js';
import { empty } from '../src/tensor.js';
import type { F64, Reduction } from '../src/ops/def.js';

beforeAll(setup);
afterEach(() => rg.setKernelVariant('lossRows', 'auto'));

const SETS = kernelSets();
const T = rg.opTable();

/** An f32 tensor from raw 32-bit words: NaN payloads exactly as given (a JS number would canonicalise them). */
function fromBits(words: Uint32Array, shape: number[], requiresGrad = false): rg.Tensor {
  const t = empty(shape);
  rt().upload(t.storage().view(words.length * 4), words);
  t.requiresGrad = requiresGrad;
  return t;
}

const f32Bits = (xs: ArrayLike<number>) => new Uint32Array(Float32Array.from(xs).buffer);
/** Quiet, negative, signalling and all-ones-payload NaNs, and the infinities. */
const POISON = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fffffff, 0x7f800000, 0xff800000];

/** Rows aligned with their label's weight row so that the target logit is about `target`: the repro. */
function confidentLinear(N: number, D: number, V: number, target: number, seed: number) {
  const g = new rg.Generator(seed);
  const w = Array.from({ length: V * D }, () => Math.fround(g.normal()));
  const y = Array.from({ length: N }, (_, i) => (i * 7) % V);
  const h: number[] = [];
  for (let i = 0; i < N; i++) {
    const wy = w.slice(y[i] * D, y[i] * D + D);
    const n2 = wy.reduce((a, v) => a + v * v, 0);
    for (let k = 0; k < D; k++) h.push(Math.fround((target * wy[k]) / n2 + 0.01 * g.normal()));
  }
  return { h, w, y };
}

describe('regressions (issue #34)', () => {
  test('#34.1 tiled linear losses on confidently right rows: no NaN, no negative loss, finite dW', async () => {
    const [N, D, V] = [64, 16, 40];
    const { h, w, y } = confidentLinear(N, D, V, 40, 3);
    const values = (ht: rg.Tensor, wt: rg.Tensor, yt: rg.Tensor) => new Map<rg.Tensor, F64>([[ht, { shape: [N, D], data: Float64Array.from(h) }], [wt, { shape: [V, D], data: Float64Array.from(w) }], [yt, { shape: [N], data: Float64Array.from(y) }]]);
    for (const [name, fn] of [
      ['linearFocalLoss gamma 0.5', (a: rg.Tensor, b: rg.Tensor, c: rg.Tensor, o: rg.LinearLossOptions) => rg.linearFocalLoss(a, b, c, { ...o, gamma: 0.5 })],
      ['linearFocalLoss gamma 1.5', (a: rg.Tensor, b: rg.Tensor, c: rg.Tensor, o: rg.LinearLossOptions) => rg.linearFocalLoss(a, b, c, { ...o, gamma: 1.5 })],
      ['linearCrossEntropy', (a: rg.Tensor, b: rg.Tensor, c: rg.Tensor, o: rg.LinearLossOptions) => rg.linearCrossEntropy(a, b, c, o)],
    ] as const) {
      for (const strategy of ['tiled', 'chunked'] as const) {
        const ht = rg.tensor(h, [N, D]);
        const wt = rg.tensor(w, [V, D], { requiresGrad: true });
        const yt = rg.tensor(y, [N], { dtype: 'i32' });
        const rows = await rg.noGrad(() => fn(ht, wt, yt, { strategy, reduction: 'none' })).data();
        const want = rg.withBackend('reference', () => fn(ht, wt, yt, { strategy, reduction: 'none' }), values(ht, wt, yt)).ref!.data;
        const what = `${name} ${strategy}`;
        expect(rows.filter(Number.isNaN).length, `${what}: NaN rows`).toBe(0);
        expect(Math.min(...rows), `${what}: smallest row loss`).toBeGreaterThanOrEqual(0);
        // a logit of 40 is known to an ulp of 40 in f32 (3.8e-6): the row losses of 1e-5 no better than that
        rows.forEach((v, i) => expect(Math.abs(v - want[i]), `${what} row ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 + 1e-5 * want[i]));
        const loss = fn(ht, wt, yt, { strategy });
        loss.backward();
        expect(Number.isFinite(await loss.item()), `${what}: mean`).toBe(true);
        expect((await wt.grad!.data()).every(Number.isFinite), `${what}: dW finite`).toBe(true);
        for (const t of [ht, wt, yt, loss, wt.grad!]) t.dispose();
      }
    }
  });

  test('#34.2 an ignored row of NaN or +-inf adds nothing to the loss or the gradient, in every row kernel', async () => {
    // row 0 valid, row 1 ignored and poisoned; C = 3 (thread), 4 (thread vec4), 70 (workgroup loops the row)
    for (const C of [3, 4, 70]) {
      const valid = Array.from({ length: C }, (_, c) => Math.fround(Math.sin(c + 1)));
      const labels = rg.tensor([1, -100], [2], { dtype: 'i32' });
      const zr = rg.tensor(valid, [1, C]);
      const want = await rg.crossEntropy(zr, rg.tensor([1], [1], { dtype: 'i32' })).item(); // the valid row alone
      for (const variant of ['thread', 'workgroup'] as const) {
        rg.setKernelVariant('lossRows', variant);
        for (const word of POISON) {
          const z = fromBits(new Uint32Array([...f32Bits(valid), ...new Array(C).fill(word)]), [2, C], true);
          for (const [name, loss] of [
            ['crossEntropy', () => rg.crossEntropy(z, labels)],
            ['crossEntropy smoothed', () => rg.crossEntropy(z, labels, { labelSmoothing: 0.1 })],
            ['focalLoss', () => rg.focalLoss(z, labels, { gamma: 0.5 })],
            ['rootedLoss', () => rg.rootedLoss(z, labels)],
          ] as const) {
            const l = loss();
            l.backward();
            const what = `${name} ${variant} C=${C} ignored row of 0x${word.toString(16)}`;
            const value = await l.item();
            if (name === 'crossEntropy') expect(value, what).toBeCloseTo(want, 6);
            else expect(Number.isFinite(value), `${what}: ${value}`).toBe(true);
            const g = await z.grad!.data();
            expect(g.slice(0, C).every(Number.isFinite), `${what}: valid row's gradient`).toBe(true);
            expect(Array.from(g.slice(C)), `${what}: ignored row's gradient`).toEqual(new Array(C).fill(0));
            l.dispose();
            z.zeroGrad();
          }
          z.dispose();
        }
      }
      for (const t of [labels, zr]) t.dispose();
    }
  });

  test('#34.9 rootedLoss within 1e-5 relative of float64 for k = m up to 1e6, in every row kernel', async () => {
    const g = new rg.Generator(9);
    for (const [C, std] of [[10, 2], [8, 0.3], [9, 8]]) {
      const N = 64;
      const z = Array.from({ length: N * C }, () => Math.fround(g.normal() * std));
      const y = Array.from({ length: N }, (_, i) => i % C);
      const zt = rg.tensor(z, [N, C]);
      const yt = rg.tensor(y, [N], { dtype: 'i32' });
      for (const k of [1e2, 1e4, 1e5, 1e6]) {
        const want = T.rootedLoss.reference([{ shape: [N, C], data: Float64Array.from(z) }, { shape: [N], data: Float64Array.from(y) }], { reduction: 'none', k, m: k, ignoreIndex: -100 }).data;
        for (const variant of ['thread', 'workgroup'] as const) {
          rg.setKernelVariant('lossRows', variant);
          const got = await rg.rootedLoss(zt, yt, { k, m: k, reduction: 'none' }).data();
          let worst = 0;
          got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]) / want[i])));
          expect(worst, `k=${k} C=${C} logits std ${std} ${variant}: worst relative error`).toBeLessThanOrEqual(1e-5);
        }
      }
      for (const t of [zt, yt]) t.dispose();
    }
  });
});

// ---- the property: every fused loss, every kernel set, against float64 --------------------------------------

type Kind = 'plain' | 'confident' | 'huge' | 'tiny' | 'ignored';
const KINDS: Kind[] = ['plain', 'plain', 'confident', 'huge', 'tiny', 'ignored'];
const IGNORE = -100;
const reductionArb = fc.constantFrom<Reduction>('mean', 'sum', 'none');
const kindsArb = (n: number) => fc.array(fc.constantFrom(...KINDS), { minLength: n, maxLength: n });
const grid = (g: rg.Generator, lo: number, hi: number, step: number) => Math.fround(lo + Math.round((g.uniform() * (hi - lo)) / step) * step);
/** Upstream gradient of a 'none' reduction (helpers.ts's), else the reduction's own scale. */
const upstream = (n: number) => Array.from({ length: n }, (_, i) => Math.fround(((i * 7919) % 13) / 6.5 - 1));

/** A row loss in float64: L(log p_y) and dL/dlog p_y. */
interface RowFn {
  L: (lp: number) => number;
  dL: (lp: number) => number;
}
const ce: RowFn = { L: (lp) => -lp, dL: () => -1 };
const focal = (alpha: number, gamma: number): RowFn => ({
  L: (lp) => -alpha * (-Math.expm1(lp)) ** gamma * lp,
  dL: (lp) => {
    const q = -Math.expm1(lp);
    return -alpha * q ** gamma * (1 - gamma * Math.exp(lp) * (q > 0 ? lp / q : -1));
  },
});
const rooted = (k: number, m: number): RowFn => ({ L: (lp) => -m * Math.expm1(lp / k), dL: (lp) => -(m / k) * Math.exp(lp / k) });
// Poly-1 (Leng et al.): cross-entropy + eps (1 - p_y), a defineRowLoss loss through the shared expm1_
const POLY_EPS = 0.5;
const poly: RowFn = { L: (lp) => -lp - POLY_EPS * Math.expm1(lp), dL: (lp) => -1 - POLY_EPS * Math.exp(lp) };
const variantsPoly = rg.defineRowLoss({
  name: 'lossVariantsPoly1',
  scalars: ['eps'],
  defaults: { eps: POLY_EPS },
  wgsl: `fn row_loss(logp: f32) -> vec2<f32> {
    let eps = params.a0;
    return vec2<f32>(-logp - eps * expm1_(logp), -1.0 - eps * exp(logp));
  }`,
  reference: (lp, { eps }) => -lp - eps * Math.expm1(lp),
  compose: (lp, { eps }) => rg.add(rg.neg(lp), rg.affine(rg.exp(lp), -eps, eps)),
});
// the registry is shared by the test files of a worker: later files list the registered losses
afterAll(() => rg.undefineRowLoss('lossVariantsPoly1'));

/** Rows' losses and dL/dz of logits z [N, C] (rows labelled IGNORE skipped, whatever their values), for
 * the reduction (upstream weights for 'none'); eps: cross-entropy's label smoothing. */
function multiclass64(z: Float64Array, y: number[], C: number, f: RowFn, eps: number, reduction: Reduction) {
  const N = y.length;
  const count = y.filter((v) => v !== IGNORE).length;
  const up = upstream(N);
  const rows = new Float64Array(N);
  const dz = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    if (y[i] === IGNORE) continue;
    const row = z.subarray(i * C, i * C + C);
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
    const lp = row[y[i]] - lse;
    const meanNll = row.reduce((a, v) => a + (lse - v) / C, 0);
    rows[i] = (1 - eps) * f.L(lp) + eps * meanNll;
    const coef = -f.dL(lp);
    const g = reduction === 'none' ? up[i] : reduction === 'mean' ? 1 / count : 1;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(row[c] - lse);
      dz[i * C + c] = g * ((1 - eps) * coef * (p - (c === y[i] ? 1 : 0)) + eps * (p - 1 / C));
    }
  }
  return { rows, dz, scale: reduction === 'mean' ? (count ? 1 / count : 0) : 1 };
}

/** The value against the reference's: per row for 'none', else within the error of the rows summed. */
function expectValue(got: ArrayLike<number>, want: ArrayLike<number>, rows: Float64Array, scale: number, what: string) {
  expect(got.length, `${what}: length`).toBe(want.length);
  const sumAbs = rows.reduce((a, v) => a + Math.abs(v), 0) * scale;
  for (let i = 0; i < want.length; i++) {
    const allowed = got.length > 1 || rows.length === 1 ? 1e-5 + 1e-5 * Math.abs(want[i]) : 1e-5 + 1e-5 * sumAbs;
    expect(Math.abs(got[i] - want[i]) <= allowed, `${what}: value ${i}: got ${got[i]}, want ${want[i]}`).toBe(true);
  }
}

/** A gradient against float64: finite everywhere, and within 1e-6 + 2e-4 of the tensor's largest entry. */
function expectGrad(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  expect(got.length, `${what}: length`).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-6 + 2e-4 * scale)) throw new Error(`${what}: element ${i}: got ${got[i]}, want ${want[i]} (scale ${scale})`);
  }
}

/** One row of logits of the given kind, with its label (the ignored ones as 32-bit words). */
function multiclassRow(g: rg.Generator, kind: Kind, C: number): { words: number[]; values: number[]; label: number } {
  const label = g.int(C);
  let values: number[];
  if (kind === 'ignored') {
    const words = Array.from({ length: C }, () => (g.uniform() < 0.7 ? POISON[g.int(POISON.length)] : f32Bits([grid(g, -4, 4, 1e-3)])[0]));
    return { words, values: Array.from(new Float32Array(Uint32Array.from(words).buffer)), label: IGNORE };
  }
  if (kind === 'plain') values = Array.from({ length: C }, () => grid(g, -4, 4, 1e-3));
  else if (kind === 'confident') values = Array.from({ length: C }, (_, c) => (c === label ? grid(g, 30, 40, 1e-3) : grid(g, -2, 2, 1e-3)));
  else if (kind === 'huge') values = Array.from({ length: C }, () => grid(g, -1e4, 1e4, 0.5));
  else values = Array.from({ length: C }, () => grid(g, -1e-6, 1e-6, 1e-9));
  return { words: [...f32Bits(values)], values, label };
}

const MULTICLASS: { name: string; f: RowFn; eps?: number; fn: (z: rg.Tensor, y: rg.Tensor, reduction: Reduction) => rg.Tensor }[] = [
  { name: 'crossEntropy', f: ce, fn: (z, y, reduction) => rg.crossEntropy(z, y, { reduction }) },
  { name: 'crossEntropy labelSmoothing 0.1', f: ce, eps: 0.1, fn: (z, y, reduction) => rg.crossEntropy(z, y, { reduction, labelSmoothing: 0.1 }) },
  { name: 'focalLoss gamma 0.5', f: focal(0.25, 0.5), fn: (z, y, reduction) => rg.focalLoss(z, y, { reduction, gamma: 0.5 }) },
  { name: 'focalLoss gamma 2', f: focal(0.25, 2), fn: (z, y, reduction) => rg.focalLoss(z, y, { reduction, gamma: 2 }) },
  { name: 'rootedLoss', f: rooted(3, 3), fn: (z, y, reduction) => rg.rootedLoss(z, y, { reduction }) },
  { name: 'rootedLoss k = m = 1e4', f: rooted(1e4, 1e4), fn: (z, y, reduction) => rg.rootedLoss(z, y, { reduction, k: 1e4, m: 1e4 }) },
  { name: 'defineRowLoss (Poly-1)', f: poly, fn: (z, y, reduction) => variantsPoly.loss(z, y, { reduction }) },
];

/** Runs `check` under each kernel set in turn (every family forced: the CPU-like kernels, then the GPU ones). */
function forEachSet(what: string, check: (set: Variants) => Promise<void>) {
  for (const set of SETS) test(`${what} [${set.name}]`, () => withKernelSet(set.variants, () => check(set.variants)));
}

describe('every fused loss under every kernel variant against float64', () => {
  const multiclassArb = fc.record({ N: fc.constantFrom(1, 3, 17, 66), C: fc.constantFrom(2, 3, 4, 8, 40, 130), reduction: reductionArb, seed: fc.nat(1 << 30) }).chain((c) => kindsArb(c.N).map((kinds) => ({ ...c, kinds })));

  forEachSet('multiclass losses (crossEntropy with and without labelSmoothing, focal, rooted, defineRowLoss)', () =>
    fc.assert(
      fc.asyncProperty(multiclassArb, async ({ N, C, reduction, seed, kinds }) => {
        const g = new rg.Generator(seed);
        const rows = kinds.map((k) => multiclassRow(g, k, C));
        const y = rows.map((r) => r.label);
        const z64 = Float64Array.from(rows.flatMap((r) => r.values));
        const yt = rg.tensor(y, [N], { dtype: 'i32' });
        const wt = rg.tensor(upstream(N), [N]);
        for (const loss of MULTICLASS) {
          const zt = fromBits(Uint32Array.from(rows.flatMap((r) => r.words)), [N, C], true);
          const what = `${loss.name} N=${N} C=${C} ${reduction} rows ${kinds.join(',')}`;
          const values = new Map<rg.Tensor, F64>([[zt, { shape: [N, C], data: z64 }], [yt, { shape: [N], data: Float64Array.from(y) }]]);
          const want = rg.withBackend('reference', () => loss.fn(zt, yt, reduction), values).ref!.data;
          const ref = multiclass64(z64, y, C, loss.f, loss.eps ?? 0, reduction);
          const l = loss.fn(zt, yt, reduction);
          if (reduction === 'none') l.backward(wt);
          else l.backward();
          expectValue(await l.data(), want, ref.rows, ref.scale, what);
          expectGrad(await zt.grad!.data(), ref.dz, `${what}: dL/dz`);
          for (const t of [zt, zt.grad!, l]) t.dispose();
        }
        for (const t of [yt, wt]) t.dispose();
      }),
      { numRuns: tol.runs, seed: tol.seed, endOnFailure: true },
    ),
  );

  const sigmoid64 = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
  const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const BINARY: { name: string; k: number; fn: (z: rg.Tensor, y: rg.Tensor, reduction: Reduction) => rg.Tensor }[] = [
    { name: 'binaryCrossEntropy', k: 0, fn: (z, y, reduction) => rg.binaryCrossEntropy(z, y, { reduction }) },
    { name: 'rootedLogisticLoss k 2', k: 2, fn: (z, y, reduction) => rg.rootedLogisticLoss(z, y, { reduction, k: 2 }) },
    { name: 'rootedLogisticLoss k 8', k: 8, fn: (z, y, reduction) => rg.rootedLogisticLoss(z, y, { reduction, k: 8 }) },
  ];
  const binaryArb = fc.record({ N: fc.constantFrom(1, 5, 300), reduction: reductionArb, seed: fc.nat(1 << 30) }).chain((c) => kindsArb(c.N).map((kinds) => ({ ...c, kinds })));

  forEachSet('binary losses (binaryCrossEntropy, rootedLogisticLoss)', () =>
    fc.assert(
      fc.asyncProperty(binaryArb, async ({ N, reduction, seed, kinds }) => {
        const g = new rg.Generator(seed);
        const y = kinds.map(() => g.int(2));
        const right = (i: number, v: number) => (y[i] ? v : -v); // a logit of magnitude v on the label's side
        const z = kinds.map((k, i) => {
          if (k === 'confident') return right(i, grid(g, 30, 40, 1e-3));
          if (k === 'huge') return right(i, 1e4); // the wrong side at 1e4 overflows the rooted loss (k < 113), as in float64
          if (k === 'tiny') return grid(g, -1e-6, 1e-6, 1e-9);
          return grid(g, -6, 6, 1e-3); // plain; binary losses have no ignored rows
        });
        const up = upstream(N);
        const yt = rg.tensor(y, [N], { dtype: 'i32' });
        const wt = rg.tensor(up, [N]);
        for (const loss of BINARY) {
          const zt = rg.tensor(z, [N], { requiresGrad: true });
          const what = `${loss.name} N=${N} ${reduction} rows ${kinds.join(',')}`;
          const values = new Map<rg.Tensor, F64>([[zt, { shape: [N], data: Float64Array.from(z) }], [yt, { shape: [N], data: Float64Array.from(y) }]]);
          const want = rg.withBackend('reference', () => loss.fn(zt, yt, reduction), values).ref!.data;
          const rows = new Float64Array(N);
          const dz = new Float64Array(N);
          const scale = reduction === 'mean' ? 1 / N : 1;
          for (let i = 0; i < N; i++) {
            const s = y[i] ? 1 : -1;
            const u = softplus64(-s * z[i]);
            rows[i] = loss.k ? loss.k * Math.expm1(u / loss.k) : u;
            dz[i] = (reduction === 'none' ? up[i] : scale) * -s * sigmoid64(-s * z[i]) * (loss.k ? Math.exp(u / loss.k) : 1);
          }
          const l = loss.fn(zt, yt, reduction);
          if (reduction === 'none') l.backward(wt);
          else l.backward();
          expectValue(await l.data(), want, rows, scale, what);
          expectGrad(await zt.grad!.data(), dz, `${what}: dL/dz`);
          for (const t of [zt, zt.grad!, l]) t.dispose();
        }
        for (const t of [yt, wt]) t.dispose();
      }),
      { numRuns: tol.runs, seed: tol.seed, endOnFailure: true },
    ),
  );

  // Weights on a grid of 1/4 and plain or huge hidden states on grids of 1/64 or 64: their logits are exact
  // in f32, so huge logits (|z| ~ 1e4) compare with float64 to the last digit; confident rows point along
  // one weight row (target logit ~40, labelled with the largest logit); ignored rows hold NaN or inf. V = 600
  // spans several of the tiled forward's class segments (512 here, 128 on GPUs), merged by its combine kernel.
  const LINEAR: { name: string; f: RowFn; fn: (h: rg.Tensor, w: rg.Tensor, y: rg.Tensor, o: rg.LinearLossOptions, eps: number) => rg.Tensor; smooths?: boolean }[] = [
    { name: 'linearCrossEntropy', f: ce, smooths: true, fn: (h, w, y, o, eps) => rg.linearCrossEntropy(h, w, y, { ...o, labelSmoothing: eps }) },
    { name: 'linearRootedLoss', f: rooted(3, 3), fn: (h, w, y, o) => rg.linearRootedLoss(h, w, y, o) },
    { name: 'linearFocalLoss gamma 0.5', f: focal(0.25, 0.5), fn: (h, w, y, o) => rg.linearFocalLoss(h, w, y, { ...o, gamma: 0.5 }) },
    { name: 'defineRowLoss (Poly-1) .linear', f: poly, fn: (h, w, y, o) => variantsPoly.linear(h, w, y, o as rg.LinearLossOptions & Record<string, unknown>) },
  ];
  const linearArb = fc
    .record({ N: fc.constantFrom(1, 17, 70), D: fc.constantFrom(4, 16), V: fc.constantFrom(3, 40, 130, 600), bias: fc.boolean(), eps: fc.constantFrom(0, 0.1), reduction: reductionArb, seed: fc.nat(1 << 30) })
    .chain((c) => kindsArb(c.N).map((kinds) => ({ ...c, kinds })));

  forEachSet('fused linear losses, chunked and tiled (cross-entropy, rooted, focal, defineRowLoss)', () =>
    fc.assert(
      fc.asyncProperty(linearArb, async ({ N, D, V, bias, eps, reduction, seed, kinds }) => {
        const g = new rg.Generator(seed);
        const w = Array.from({ length: V * D }, () => grid(g, -0.75, 0.75, 0.25));
        const b = Array.from({ length: V }, () => (bias ? grid(g, -1, 1, 0.125) : 0));
        const hWords: number[] = [];
        const y: number[] = [];
        const h64: number[] = [];
        for (const kind of kinds) {
          let row: number[];
          if (kind === 'ignored') {
            const words = Array.from({ length: D }, () => POISON[g.int(POISON.length)]);
            hWords.push(...words);
            h64.push(...new Float32Array(Uint32Array.from(words).buffer));
            y.push(IGNORE);
            continue;
          }
          if (kind === 'plain') row = Array.from({ length: D }, () => grid(g, -1, 1, 1 / 64));
          else if (kind === 'huge') row = Array.from({ length: D }, () => grid(g, -4096, 4096, 64));
          else if (kind === 'tiny') row = Array.from({ length: D }, () => grid(g, -1e-6, 1e-6, 1e-9));
          else {
            const j = g.int(V);
            const wj = w.slice(j * D, j * D + D);
            const n2 = wj.reduce((a, v) => a + v * v, 0) || 1;
            row = wj.map((v) => Math.fround((40 * v) / n2));
          }
          hWords.push(...f32Bits(row));
          h64.push(...row);
          let label = g.int(V);
          if (kind === 'confident') {
            const zs = Array.from({ length: V }, (_, v) => b[v] + row.reduce((a, x, d) => a + x * w[v * D + d], 0));
            label = zs.indexOf(Math.max(...zs));
          }
          y.push(label);
        }
        const count = y.filter((v) => v !== IGNORE).length;
        const up = upstream(N);
        const yt = rg.tensor(y, [N], { dtype: 'i32' });
        const wt = rg.tensor(up, [N]);
        // logits in float64 for the reference gradients (ignored rows are never read)
        const z64 = new Float64Array(N * V);
        for (let i = 0; i < N; i++) {
          if (y[i] === IGNORE) continue;
          for (let v = 0; v < V; v++) z64[i * V + v] = b[v] + h64.slice(i * D, i * D + D).reduce((a, x, d) => a + x * w[v * D + d], 0);
        }
        for (const loss of LINEAR) {
          const e = loss.smooths ? eps : 0;
          const ref = multiclass64(z64, y, V, loss.f, e, reduction);
          const dh = new Float64Array(N * D);
          const dw = new Float64Array(V * D);
          const db = new Float64Array(V);
          for (let i = 0; i < N; i++) {
            if (y[i] === IGNORE) continue;
            for (let v = 0; v < V; v++) {
              const d = ref.dz[i * V + v];
              db[v] += d;
              for (let k = 0; k < D; k++) {
                dh[i * D + k] += d * w[v * D + k];
                dw[v * D + k] += d * h64[i * D + k];
              }
            }
          }
          for (const strategy of ['chunked', 'tiled'] as const) {
            const ht = fromBits(Uint32Array.from(hWords), [N, D], true);
            const Wt = rg.tensor(w, [V, D], { requiresGrad: true });
            const bt = bias ? rg.tensor(b, [V], { requiresGrad: true }) : null;
            const opts: rg.LinearLossOptions = { strategy, reduction, bias: bt };
            const what = `${loss.name} ${strategy} N=${N} D=${D} V=${V} bias=${bias} eps=${e} ${reduction} rows ${kinds.join(',')} (${count} counted)`;
            const values = new Map<rg.Tensor, F64>([[ht, { shape: [N, D], data: Float64Array.from(h64) }], [Wt, { shape: [V, D], data: Float64Array.from(w) }], [yt, { shape: [N], data: Float64Array.from(y) }]]);
            if (bt) values.set(bt, { shape: [V], data: Float64Array.from(b) });
            const want = rg.withBackend('reference', () => loss.fn(ht, Wt, yt, opts, e), values).ref!.data;
            const l = loss.fn(ht, Wt, yt, opts, e);
            if (reduction === 'none') l.backward(wt);
            else l.backward();
            expectValue(await l.data(), want, ref.rows, ref.scale, what);
            expectGrad(await ht.grad!.data(), dh, `${what}: dL/dh`);
            expectGrad(await Wt.grad!.data(), dw, `${what}: dL/dW`);
            if (bt) expectGrad(await bt.grad!.data(), db, `${what}: dL/db`);
            for (const t of [ht, ht.grad!, Wt, Wt.grad!, l, ...(bt ? [bt, bt.grad!] : [])]) t.dispose();
          }
        }
        for (const t of [yt, wt]) t.dispose();
      }),
      { numRuns: Math.max(4, Math.round(tol.runs / 2)), seed: tol.seed, endOnFailure: true },
    ),
  );
});
