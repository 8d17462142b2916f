// gradcheck and the reference backend: whole models against finite differences in float64, and a
// deliberately wrong gradient caught.
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';

beforeAll(setup);

describe('reference backend', () => {
  test('runs the same code with float64 references', async () => {
    const x = rg.tensor([[1, 2], [3, 4]]);
    const values = await rg.referenceValues([x]);
    const y = rg.withBackend('reference', () => rg.sum(rg.softmax(rg.matmul(x, x), -1)), values);
    expect(y.ref).not.toBeNull();
    expect(y.ref!.data[0]).toBeCloseTo(2, 12);
    expect(() => rg.withBackend('reference', () => rg.exp(x))).toThrow(/lives on the GPU and has no float64 value/);
  });
});

describe('gradcheck', () => {
  test('passes a correct op and reports per input', async () => {
    const a = rg.randn([3, 4]);
    const b = rg.randn([4, 2]);
    const r = await rg.gradcheck((x, y) => rg.tanh(rg.matmul(x, y)), { a, b });
    expect(r.pass).toBe(true);
    expect(r.inputs.map((i) => i.input)).toEqual(['a', 'b']);
    expect(r.inputs[0].checked).toBe(12);
  });

  test('a one-block GPT: every parameter gradient against finite differences of the f64 reference', async () => {
    rg.manualSeed(11);
    const model = new rg.GPT({ kind: 'gpt', vocab: 5, context: 4, dim: 8, heads: 2, layers: 1 });
    const ids = rg.tensor([0, 1, 2, 3, 4, 0, 2, 1], [2, 4], { dtype: 'i32' });
    const targets = rg.tensor([1, 2, 3, 4, 0, 2, 1, 3], [8], { dtype: 'i32' });
    const params = Object.fromEntries(model.namedParameters());
    const r = await rg.gradcheck(() => rg.rootedLoss(rg.reshape(model.forward(ids), [-1, 5]), targets), params, { samples: 6 });
    for (const i of r.inputs) expect(i.pass, `${i.input}: ${i.maxAbsError} (rel ${i.maxRelError})`).toBe(true);
    expect(r.inputs.length).toBe(model.parameters().length);
  });

  test('a ViT on 4x4 images', async () => {
    rg.manualSeed(12);
    const model = new rg.ViT({ kind: 'vit', side: 4, patch: 2, dim: 8, heads: 2, layers: 1, classes: 3 });
    const x = rg.randn([2, 16]);
    const y = rg.tensor([0, 2], [2], { dtype: 'i32' });
    const r = await rg.gradcheck(() => rg.crossEntropy(model.forward(x), y), Object.fromEntries(model.namedParameters()), { samples: 5 });
    for (const i of r.inputs) expect(i.pass, `${i.input}: ${i.maxAbsError} (rel ${i.maxRelError})`).toBe(true);
  });
});

test('gradcheck catches a wrong gradient', async () => {
  // d/dx (x*x + x) is 2x + 1; cutting x*x out of the graph leaves autograd with 1.
  const x = rg.tensor([0.5, -1, 2]);
  const r = await rg.gradcheck((t) => rg.sum(rg.add(rg.mul(t, t).detach(), t)), [x]);
  expect(r.pass).toBe(false);
  expect(r.inputs[0].maxAbsError).toBeCloseTo(4, 4); // at x = 2: 1 vs 5
  expect(r.inputs[0].worstIndex).toBe(2);
});
