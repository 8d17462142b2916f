// Every fused loss under every kernel variant, forced in turn (src/variants.ts: kernelSets(), not only
// this adapter's defaults), against the float64 reference: confident rows, huge (1e4) and tiny logits, and
// NaN (placed by its bits) or +-inf in ignored rows, which must never reach the loss or any gradient.
// First the regression tests of issue #34 (items 1, 2, 9), then the property test.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
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
