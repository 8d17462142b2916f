// Higher-order reverse mode and forward mode (src/tensor.ts grad/createGraph, src/ops/higher_order.ts,
// src/autodiff.ts): Hessian-vector products of the issue's models against float64 second differences,
// jvp against float64 central differences, grad()'s contract, and the ops that refuse with a reason.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { GPT } from '../models/gpt.js';

beforeAll(setup);

const CASES = ['an MLP with tanh and the rooted loss', 'GELU and cross-entropy', 'layer norm', 'causal attention'];
type Case = [string, (...xs: rg.Tensor[]) => rg.Tensor, () => rg.Tensor[]];

function cases(): Case[] {
  rg.manualSeed(11);
  const x = rg.randn([5, 4]);
  const y = rg.tensor([0, 2, 1, 2, 0], [5], { dtype: 'i32' });
  const mlp = () => [rg.randn([6, 4]), rg.randn([6]), rg.randn([3, 6]), rg.randn([3])];
  return [
    ['an MLP with tanh and the rooted loss', (a, b, c, d) => rg.rootedLoss(rg.linear(rg.tanh(rg.linear(x, a, b)), c, d), y), mlp],
    ['GELU and cross-entropy', (a, b, c, d) => rg.crossEntropy(rg.linear(rg.gelu(rg.linear(x, a, b)), c, d), y), mlp],
    ['layer norm', (a, g, b) => rg.layerNorm(a, g, b), () => [rg.randn([3, 8]), rg.randn([8]), rg.randn([8])]],
    ['causal attention', (q, k, v) => rg.attention(q, k, v, { causal: true }), () => [rg.randn([1, 2, 5, 4]), rg.randn([1, 2, 5, 4]), rg.randn([1, 2, 5, 4])]],
  ];
}

/** Central differences of fn on the float64 reference backend along the tangents. */
async function referenceJvp(fn: (...xs: rg.Tensor[]) => rg.Tensor, xs: rg.Tensor[], ts: rg.Tensor[], h = 1e-5): Promise<Float64Array> {
  const values = new Map<rg.Tensor, rg.F64>();
  const x0 = await Promise.all(xs.map(async (t) => Float64Array.from(await t.data())));
  const t0 = await Promise.all(ts.map(async (t) => Float64Array.from(await t.data())));
  xs.forEach((t, i) => values.set(t, { shape: [...t.shape], data: Float64Array.from(x0[i]) }));
  const at = async (s: number) => {
    xs.forEach((t, i) => values.get(t)!.data.set(x0[i].map((v, e) => v + s * t0[i][e])));
    return Float64Array.from((await rg.runReference(() => fn(...xs), values)).ref!.data);
  };
  const [p, m] = [await at(h), await at(-h)];
  return p.map((v, i) => (v - m[i]) / (2 * h));
}

describe('second order: Hessian-vector products against float64 second differences', () => {
  CASES.forEach((name, c) => {
    test(name, async () => {
      const [, fn, inputs] = cases()[c];
      const xs = inputs();
      const report = await rg.gradgradcheck(fn, xs, { directions: 3 });
      expect(report.checks).toHaveLength(3);
      for (const c of report.checks) expect(c, JSON.stringify(c)).toMatchObject({ pass: true });
      expect(report.pass).toBe(true);
      xs.forEach((t) => t.dispose());
    });
  });

  test("a one-block GPT's own loss (tied embedding, fused linear cross-entropy) over every parameter", async () => {
    rg.manualSeed(2);
    const gpt = new GPT({ kind: 'gpt', vocab: 16, context: 8, dim: 16, heads: 2, layers: 1 });
    const ids = rg.tensor(Array.from({ length: 16 }, (_, i) => (i * 5) % 16), [2, 8], { dtype: 'i32' });
    const targets = rg.tensor(Array.from({ length: 16 }, (_, i) => (i * 3) % 16), [16], { dtype: 'i32' });
    // the tied weight is reached twice (embedding and head): a recomputed rule must give partial derivatives
    const report = await rg.gradgradcheck(() => gpt.loss(ids, targets), gpt.parameters(), { directions: 2 });
    for (const c of report.checks) expect(c, JSON.stringify(c)).toMatchObject({ pass: true });
    gpt.dispose();
  });

  test('pooling over non-overlapping windows (max, average, adaptive) composed with a nonlinearity', async () => {
    const x = rg.randn([2, 3, 6, 6]);
    const fn = (a: rg.Tensor) => rg.add(rg.tanh(rg.maxPool2d(a, { kernel: 2 })), rg.adaptiveAvgPool2d(rg.mul(rg.avgPool2d(a, { kernel: 2 }), rg.avgPool2d(a, { kernel: 2 })), 3));
    const report = await rg.gradgradcheck(fn, [x], { directions: 3 });
    for (const c of report.checks) expect(c, JSON.stringify(c)).toMatchObject({ pass: true });
    expect((await rg.checkForward(fn, [x])).pass).toBe(true);
    x.dispose();
  });

  test('hvp of sum(tanh(x)^2) is the analytic second derivative', async () => {
    const xs = [0.3, -0.5, 1.2, 0.1];
    const x = rg.tensor(xs);
    const v = rg.tensor([1, -2, 0.5, 3]);
    const [value, [hv]] = rg.hvp((a) => rg.sum(rg.mul(rg.tanh(a), rg.tanh(a))), [x], [v]);
    const d2 = (z: number) => {
      const t = Math.tanh(z);
      return 2 * (1 - t * t) ** 2 - 4 * t * t * (1 - t * t);
    };
    expect(await value.item()).toBeCloseTo(xs.reduce((s, z) => s + Math.tanh(z) ** 2, 0), 5);
    const got = await hv.data();
    [1, -2, 0.5, 3].forEach((vi, i) => expect(got[i]).toBeCloseTo(d2(xs[i]) * vi, 5));
    expect(x.requiresGrad).toBe(false); // differentiated through a copy
  });

  test('a gradient penalty: backward({ createGraph }) leaves .grad with a graph that backward goes through', async () => {
    const w = rg.tensor([0.5, -1, 2], [3], { requiresGrad: true });
    const loss = rg.sum(rg.mul(rg.mul(w, w), w)); // sum w^3: grad 3w^2, penalty sum (3w^2)^2 = 9 sum w^4
    loss.backward(undefined, { createGraph: true });
    const g = w.grad!;
    expect(g.requiresGrad).toBe(true);
    w.grad = null;
    const penalty = rg.sum(rg.mul(g, g));
    penalty.backward();
    expect(Array.from(await w.grad!.data())).toEqual([0.5, -1, 2].map((v) => Math.fround(36 * v ** 3)));
    for (const t of [loss, g, penalty, w]) t.dispose();
  });
});

describe('the binary losses twice differentiated, against PyTorch in float64 (test/fixtures/binary-loss-d2.json)', () => {
  // made once by scripts/fixtures/binary_loss_d2_fixture.py: value, d/dz and d2/dz2 per example out to |z| = 100
  const fixture = JSON.parse(readFileSync('test/fixtures/binary-loss-d2.json', 'utf8')) as { cases: { loss: string; k?: number; y: number; z: number[]; value: number[]; d1: number[]; d2: number[] }[] };
  const F32_MAX = 3.4028234663852886e38;
  for (const c of fixture.cases) {
    test(`${c.loss}${c.k ? ` k=${c.k}` : ''} y=${c.y}: the recorded second derivative is finite and PyTorch's wherever it fits in f32`, async () => {
      const z = rg.tensor(c.z, [c.z.length], { requiresGrad: true });
      const y = rg.full([c.z.length], c.y, { dtype: 'i32' });
      const loss = c.loss === 'rootedLogisticLoss' ? rg.rootedLogisticLoss(z, y, { k: c.k, reduction: 'sum' }) : rg.binaryCrossEntropy(z, y, { reduction: 'sum' });
      const [d1] = rg.grad(loss, [z], { createGraph: true });
      const [d2] = rg.grad(rg.sum(d1), [z]); // elementwise: the Hessian's diagonal
      const [g1, g2] = [await d1.data(), await d2.data()];
      for (const [what, got, want] of [['d/dz', g1, c.d1], ['d2/dz2', g2, c.d2]] as const) {
        for (let i = 0; i < c.z.length; i++) {
          const at = `${what} at z=${c.z[i]}: ${got[i]} vs PyTorch ${want[i]}`;
          // beyond f32's range (k = 1 at |z| = 100): overflowed (inf, or NaN from inf * 0 in the chain rule),
          // never a finite wrong value; below its normal range: 0 is right
          if (Math.abs(want[i]) > F32_MAX) expect(Math.abs(got[i]) < 1e38, at).toBe(false);
          else expect(Math.abs(got[i] - want[i]), at).toBeLessThanOrEqual(1e-4 * Math.abs(want[i]) + 1e-25);
        }
      }
      for (const t of [z, y, loss, d1, d2]) t.dispose();
    });
  }
});

describe('forward mode: jvp against float64 central differences', () => {
  CASES.forEach((name, c) => {
    test(name, async () => {
      const [, fn, inputs] = cases()[c];
      const xs = inputs();
      const ts = xs.map((t) => rg.randn([...t.shape]));
      const [out, jt] = rg.jvp(fn, xs, ts);
      const want = await referenceJvp(fn, xs, ts);
      const got = await jt.data();
      expect(jt.shape).toEqual(out.shape);
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      want.forEach((v, i) => expect(Math.abs(got[i] - v), `element ${i}: ${got[i]} vs ${v}`).toBeLessThan(2e-4 * scale + 1e-5));
      for (const t of [...xs, ...ts, out, jt]) t.dispose();
    });
  });

  test('vjp gives the output and a pullback for any cotangent', async () => {
    const x = rg.tensor([1, 2, 3]);
    const [y, pullback] = rg.vjp((a) => rg.mul(a, a), [x]);
    expect(Array.from(await y.data())).toEqual([1, 4, 9]);
    const [g1] = pullback(rg.tensor([1, 1, 1]));
    const [g2] = pullback(rg.tensor([0, 1, 2]));
    expect(Array.from(await g1!.data())).toEqual([2, 4, 6]);
    expect(Array.from(await g2!.data())).toEqual([0, 4, 12]);
  });
});

describe('grad()', () => {
  test('returns gradients without touching .grad; gradOutputs, several outputs, allowUnused', async () => {
    const a = rg.tensor([1, 2], [2], { requiresGrad: true });
    const b = rg.tensor([3, 4], [2], { requiresGrad: true });
    const c = rg.tensor([5], [1], { requiresGrad: true });
    const y = rg.mul(a, b);
    const [ga, gb] = rg.grad(y, [a, b], { gradOutputs: rg.tensor([1, 10]), retainGraph: true });
    expect(Array.from(await ga.data())).toEqual([3, 40]);
    expect(Array.from(await gb.data())).toEqual([1, 20]);
    expect(a.grad).toBe(null);
    const [g2] = rg.grad([rg.sum(y), rg.sum(a)], [a]);
    expect(Array.from(await g2.data())).toEqual([4, 5]);
    const [, unused] = rg.grad(rg.sum(rg.mul(a, a)), [a, c], { allowUnused: true });
    expect(unused).toBe(null);
    expect(() => rg.grad(rg.sum(rg.mul(a, a)), [a, c])).toThrow(/grad: input 1 Tensor\(#\d+, \[1\], f32, requiresGrad\) is not reached from the outputs \(pass \{ allowUnused: true \}/);
    expect(() => rg.grad(rg.sum(a), [rg.tensor([1])])).toThrow(/grad: input 0 .* does not require a gradient/);
    expect(() => rg.grad(y, [a])).toThrow('grad: a gradient must be given for a non-scalar output of shape [2]');
  });

  test('an op without a recorded backward says so, naming the op and the reason', () => {
    const x = rg.randn([1, 1, 4, 4], { requiresGrad: true });
    const w = rg.randn([1, 1, 3, 3]);
    const y = rg.sum(rg.conv2d(x, w, null, { stride: 2, padding: 1 }));
    expect(() => rg.grad(y, [x], { createGraph: true })).toThrow('conv2d: cannot record its backward (createGraph) for stride [2, 2]: only stride 1 has one yet');
    const z = rg.sum(rg.maxPool2d(x, { kernel: 3, stride: 1 }));
    expect(() => rg.grad(z, [x], { createGraph: true })).toThrow('maxPool2d: cannot record its backward (createGraph) for stride [1, 1] with kernel [3, 3] and padding [0, 0]: only non-overlapping windows without padding have one yet');
    // first order is unaffected
    expect(rg.grad(rg.sum(rg.conv2d(x, w)), [x])[0].shape).toEqual([1, 1, 4, 4]);
  });

  test('every primitive has a higher-order entry: a rule, a recomputation, or a reason', () => {
    for (const [op, h] of Object.entries(rg.higherOrder)) {
      if ('none' in h) expect(h.none.length, op).toBeGreaterThan(10);
      else expect('ops' in h || typeof h.backward === 'function', op).toBe(true);
    }
  });
});
