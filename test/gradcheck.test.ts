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
  expect(r.inputs[0].failed).toBe(3);
  // the worst is the element furthest over its own bound: at x = -1, autograd 1 against -1
  expect(r.inputs[0].worstIndex).toBe(1);
  expect(r.inputs[0].worst).toMatchObject({ coords: [1], autograd: 1 });
  expect(r.inputs[0].worst!.reference).toBeCloseTo(-1, 6);
});

describe('gradcheck fastMode (a random direction per input) and checkNondeterminism', () => {
  test('catches a wrong gradient at one element that a sparse full check misses at the same budget', async () => {
    const g = new rg.Generator(3);
    const x = rg.tensor(Array.from({ length: 200 }, () => 0.5 + g.uniform()), [200]);
    const at37 = rg.eq(rg.tensor(Array.from({ length: 200 }, (_, i) => (i === 37 ? 1 : 0)), [200]), 1);
    // sum(x^2) with element 37's square cut out of the graph: autograd says 0 there instead of 2 x_37
    const f = (t: rg.Tensor) => {
      const sq = rg.mul(t, t);
      return rg.sum(rg.where(at37, sq.detach(), sq));
    };
    const sparse = await rg.gradcheck(f, [x], { samples: 1 }); // one element: 2 evaluations, and a direction
    expect(sparse.inputs[0].failed).toBe(0); // the sampled element looked elsewhere...
    expect(sparse.inputs[0].directional!.pass).toBe(false); // ...the random direction over all did not
    expect(sparse.pass).toBe(false);
    const fast = await rg.gradcheck(f, [x], { fastMode: true }); // one direction: 2 evaluations
    expect(fast.pass).toBe(false);
    const { autograd, finiteDifference } = fast.inputs[0].directional!;
    expect(Math.abs(autograd - finiteDifference)).toBeGreaterThan(0.01);
    const full = await rg.gradcheck(f, [x]); // 400 evaluations
    expect(full.pass).toBe(false);
    expect(full.inputs[0].worstIndex).toBe(37);
  });

  test('passes correct gradients: an MLP with tanh and the rooted loss, and a one-block GPT, every parameter', async () => {
    rg.manualSeed(13);
    const mlp = rg.mlp([6, 16, 16, 4], { activation: 'tanh' });
    const x = rg.randn([5, 6]);
    const y = rg.tensor([0, 3, 1, 2, 2], [5], { dtype: 'i32' });
    const r = await rg.gradcheck(() => rg.rootedLoss(mlp.forward(x), y), Object.fromEntries(mlp.namedParameters()), { fastMode: true, checkNondeterminism: true });
    for (const i of r.inputs) expect(i.pass, `${i.input}: ${JSON.stringify(i.directional)}`).toBe(true);
    expect(r.deterministic).toBe(true);
    const gpt = new rg.GPT({ kind: 'gpt', vocab: 7, context: 4, dim: 8, heads: 2, layers: 1 });
    const ids = rg.tensor([0, 1, 2, 3, 4, 5, 6, 1], [2, 4], { dtype: 'i32' });
    const targets = rg.tensor([1, 2, 3, 4, 5, 6, 1, 3], [2, 4], { dtype: 'i32' });
    let calls = 0;
    const g = await rg.gradcheck(() => (calls++, gpt.loss(ids, targets, { loss: 'rooted' })), Object.fromEntries(gpt.namedParameters()), { fastMode: true });
    for (const i of g.inputs) expect(i.pass, `${i.input}: ${JSON.stringify(i.directional)}`).toBe(true);
    expect(g.inputs.length).toBe(gpt.parameters().length);
    // What keeps a whole model's check in seconds: two evaluations per input whatever its size, and five
    // for the forward, backward and value checks (45 here, where element by element would take 2 x 976).
    // Counted, not timed: the 30 s wall-clock budget it replaces measured the machine's load as well.
    expect(calls).toBeLessThanOrEqual(2 * g.inputs.length + 5);
  });
});

describe('auditModule: a user model audited per parameter, with reports', () => {
  test('a one-block GPT and a small ResNet in fast mode, and a full audit of the GPT beside it', async () => {
    rg.manualSeed(14);
    const gpt = new rg.GPT({ kind: 'gpt', vocab: 11, context: 8, dim: 16, heads: 2, layers: 1 });
    const batch = { ids: rg.randint(0, 11, [2, 8]), targets: rg.randint(0, 11, [2, 8]) };
    let calls = 0;
    const loss = (m: rg.AnyModule, b: typeof batch) => (calls++, (m as rg.GPT).loss(b.ids, b.targets, { loss: 'rooted' }));
    const fast = await rg.auditModule(gpt, loss, batch, { fastMode: true, checkNondeterminism: true });
    expect(fast.pass, rg.moduleAuditText(fast)).toBe(true);
    expect(fast.mode).toBe('fast');
    expect(fast.deterministic).toBe(true);
    expect(fast.rows.map((r) => r.parameter)).toEqual(gpt.namedParameters().map(([n]) => n));
    // Fast mode's cost, counted rather than timed (a 10 s budget failed at 10.7 s on the loaded machine):
    // two evaluations per parameter whatever its size, five for the forward, backward and value checks,
    // and one for checkNondeterminism's second backward.
    expect(calls).toBeLessThanOrEqual(2 * fast.rows.length + 6);
    const full = await rg.auditModule(gpt, loss, batch, { fastMode: false, samples: 4 });
    expect(full.pass, rg.moduleAuditText(full)).toBe(true);
    expect(full.rows.every((r) => r.checked <= 4)).toBe(true);

    const resnet = new rg.ResNet({ kind: 'resnet', side: 8, classes: 3, width: 4, blocks: [1, 1] });
    const images = { x: rg.randn([2, 64]), y: rg.tensor([0, 2], [2], { dtype: 'i32' }) };
    let resnetCalls = 0;
    const r = await rg.auditModule(resnet, (m, b: typeof images) => (resnetCalls++, rg.crossEntropy((m as rg.ResNet).forward(b.x), b.y)), images, { fastMode: true });
    expect(r.pass, rg.moduleAuditText(r)).toBe(true);
    expect(resnetCalls).toBeLessThanOrEqual(2 * r.rows.length + 5);

    const md = rg.moduleAuditMarkdown(fast);
    expect(md).toMatch(/^\d+\/\d+ parameters pass \(fast mode/);
    expect(md).toContain('| wte.weight | [11, 16] |');
    const html = rg.moduleAuditHtml(full, 'GPT audit');
    expect(html).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*<rect[\s\S]*class="tolerance"[\s\S]*<table>/);
    expect(html).toContain('|a_i - n_i| &lt;= atol_i + rtol |n_i|');
    gpt.dispose();
    resnet.dispose();
  });

  test('a wrong gradient shows as a failing row', async () => {
    rg.manualSeed(15);
    const net = rg.mlp([4, 8, 3]);
    const x = rg.randn([3, 4]);
    // the first layer's output detached past its first column: its weight gets no gradient from the rest
    const bad = (m: rg.AnyModule) => {
      const s = m as rg.Sequential;
      const h = s.layers[0].forward(x);
      const mixed = rg.add(rg.narrow(h, 1, 0, 1).sum(), rg.narrow(h, 1, 1, 7).detach().sum());
      return rg.add(mixed, rg.sum(s.layers[2].forward(rg.relu(h))));
    };
    const a = await rg.auditModule(net, bad, null, { fastMode: true });
    expect(a.pass).toBe(false);
    expect(a.rows.find((r) => r.parameter === '0.weight')!.pass).toBe(false);
    expect(rg.moduleAuditText(a)).toMatch(/0\.weight .* FAIL/);
  });
});

test('allVariants: the gradient under each kernel set (CPU-like and GPU kernels forced in turn) against one finite difference', async () => {
  rg.manualSeed(4);
  const q = rg.randn([1, 2, 5, 4]);
  const w = rg.randn([6, 5]);
  const y = rg.tensor([0, 3, 5, 1, 2, 4, 0, 1, 2, 3], [10], { dtype: 'i32' });
  const fn = (a: rg.Tensor, b: rg.Tensor) => rg.rootedLoss(rg.matmul(rg.reshape(rg.attention(a, a, a, { causal: true }), [10, 4]), rg.transpose(rg.narrow(b, 1, 0, 4))), y);
  const report = await rg.gradcheck(fn, { q, w }, { allVariants: true });
  expect(report.pass).toBe(true);
  const sets = [...new Set(report.inputs.map((r) => r.variant))];
  expect(sets).toEqual(['thread/registers/thread/thread/scores/rows/blocked/chunked', 'workgroup/tiled/workgroup/workgroup/flash/kernel/tiled/tiled']);
  expect(report.inputs).toHaveLength(4);
  for (const t of [q, w, y]) t.dispose();
});
