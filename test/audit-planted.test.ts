// Planted bugs of every kind the audit must catch, each named with what failed (the op or input, the
// coordinates, both values, the bound), and the correct versions passing beside them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';

beforeAll(setup);
// the planted losses leave the registry after this file (a worker may run other files' audits next)
const plantedLosses: string[] = [];
afterAll(() => {
  for (const name of plantedLosses) rg.undefineRowLoss(name);
});

/** `value` in the forward pass (exactly: z - z.detach() is 0), the gradient of `gradOf` in the backward. */
const planted = (value: rg.Tensor, gradOf: rg.Tensor) => rg.add(value.detach(), rg.sub(gradOf, gradOf.detach()));
const oneHot = (n: number, k: number, shape: number[]) => rg.eq(rg.tensor(Array.from({ length: n }, (_, i) => (i === k ? 1 : 0)), shape), 1);

/** Poly-1's row body with its gradient multiplied by `gradScale` and its value moved by `valueShift`. */
const poly = (name: string, gradScale: number, valueShift: number) => {
  plantedLosses.push(name);
  return rg.defineRowLoss({
    name,
    scalars: ['eps'],
    defaults: { eps: 1 },
    wgsl: `fn row_loss(logp: f32) -> vec2<f32> {
  let eps = params.a0;
  let py = exp(logp);
  return vec2<f32>(-logp + eps * (1.0 - py) + ${valueShift.toFixed(4)}, ${gradScale.toFixed(4)} * (-1.0 - eps * py));
}`,
    reference: (lp, { eps }) => -lp - eps * Math.expm1(lp),
    compose: (lp, { eps }) => rg.add(rg.neg(lp), rg.affine(rg.exp(lp), -eps, eps)),
  });
};

describe('gradcheck, element by element', () => {
  test('a x1000 gradient at one element of a [4, 6] input is caught at every one of the 24 positions, with its coordinates', async () => {
    const g = new rg.Generator(5);
    const x = rg.tensor(Array.from({ length: 24 }, () => 0.5 + g.uniform()), [4, 6]);
    for (let k = 0; k < 24; k++) {
      const mask = oneHot(24, k, [4, 6]);
      const r = await rg.gradcheck((t) => planted(rg.mul(t, t), rg.where(mask, rg.affine(rg.mul(t, t), 1000), rg.mul(t, t))), { x });
      const i = r.inputs[0];
      expect(r.pass, `position ${k}`).toBe(false);
      expect(i.checked).toBe(24);
      expect(i.failed).toBe(1);
      expect(i.worst!.coords).toEqual([Math.floor(k / 6), k % 6]);
      expect(r.value.pass).toBe(true); // the forward is right
      mask.dispose();
    }
    const ok = await rg.gradcheck((t) => rg.mul(t, t), { x });
    expect(ok.pass).toBe(true);
    expect(ok.inputs[0].failed).toBe(0);
  });

  test('a doubled gradient at a small element (x = 0.05 among values near 2) fails per element, where one scale for the input passed it', async () => {
    const x = rg.tensor([2.0, 1.9, 0.05, 2.1, 1.95, 2.05], [2, 3]);
    const mask = oneHot(6, 2, [2, 3]);
    const cube = (t: rg.Tensor) => rg.mul(rg.mul(t, t), t);
    const r = await rg.gradcheck((t) => rg.sum(planted(cube(t), rg.where(mask, rg.affine(cube(t), 2), cube(t)))), { x });
    const i = r.inputs[0];
    expect(r.pass).toBe(false);
    expect(i.worst!.coords).toEqual([0, 2]);
    expect(i.worst!.reference).toBeCloseTo(0.0075, 6); // 3 x^2
    expect(i.worst!.autograd).toBeCloseTo(0.015, 6);
    expect(i.worst!.bound).toBeLessThan(1e-4);
    // the whole-input criterion this replaces, |err| <= atol + rtol max|fd|, would have passed it
    expect(i.maxAbsError).toBeLessThan(1e-5 + 5e-3 * i.tolerance.scale);
    expect((await rg.gradcheck((t) => rg.sum(cube(t)), { x })).pass).toBe(true);
  });

  test('a missing transpose (non-square shapes) fails both inputs; the right product passes', async () => {
    const x = rg.randn([2, 3]);
    const weight = rg.randn([3, 4]);
    const wrong = (a: rg.Tensor, w: rg.Tensor) => planted(rg.matmul(a, w), rg.matmul(a, rg.transpose(rg.reshape(w, [4, 3]))));
    const r = await rg.gradcheck(wrong, { x, weight });
    expect(r.inputs.map((i) => [i.input, i.pass])).toEqual([['x', false], ['weight', false]]);
    expect(r.inputs[0].worst!.coords.length).toBe(2);
    expect((await rg.gradcheck(rg.matmul, { x, weight })).pass).toBe(true);
  });

  test('a broadcast bias whose gradient is not summed over the rows fails the bias only', async () => {
    const x = rg.randn([3, 4]);
    const b = rg.randn([4]);
    const row0 = rg.tensor([1, 0, 0], [3, 1]);
    const r = await rg.gradcheck((a, bias) => planted(rg.add(a, bias), rg.add(a, rg.mul(bias, row0))), { x, b });
    expect(r.inputs.map((i) => [i.input, i.pass])).toEqual([['x', true], ['b', false]]);
    expect(r.inputs[1].failed).toBe(4);
    expect((await rg.gradcheck((a, bias) => rg.add(a, bias), { x, b })).pass).toBe(true);
  });
});

describe('the audit: every row loss by name, its value and its gradient', () => {
  poly('polyOne', 1, 0);
  poly('flippedPoly', -1, 0);
  poly('scaledPoly', 2, 0);
  poly('offsetPoly', 1, 0.5);

  test('a correct defineRowLoss loss gets its own rows (row kernel and both fused linear strategies) and passes them', async () => {
    const rows = await rg.runAudit({ only: ['polyOne'] });
    expect(rows.map((r) => r.name)).toEqual(['rowLoss: polyOne', 'linearLoss: polyOne (chunked)', 'linearLoss: polyOne (tiled)']);
    for (const r of rows) {
      expect(r.pass, `${r.name}: ${r.failures.join('; ')}`).toBe(true);
      expect(r.cases).toBe(3);
      expect(r.checked).toBe(r.elements); // every element of every input
      expect(r.details.map((d) => d.attrs?.loss)).toEqual(['polyOne', 'polyOne', 'polyOne']);
    }
  });

  test('a flipped or scaled loss gradient fails every row of that loss at the default 3 cases, naming the input and the element', async () => {
    for (const name of ['flippedPoly', 'scaledPoly']) {
      const rows = await rg.runAudit({ only: [name] });
      expect(rows.length).toBe(3);
      for (const r of rows) {
        expect(r.pass, r.name).toBe(false);
        expect(r.failures.join('\n')).toMatch(/case \d, (logits|h|weight|bias) \[[\d, ]+\]: \d+ of \d+ elements over their bound; worst at \[\d+(, \d+)*\]: autograd \S+, reference \S+, \|diff\| \S+ > bound \S+/);
      }
    }
  });

  test('a loss value off by 0.5 with the right gradient fails on its forward value', async () => {
    const rows = await rg.runAudit({ only: ['offsetPoly'], cases: 1 });
    for (const r of rows) {
      expect(r.pass, r.name).toBe(false);
      expect(r.failures.join('\n')).toMatch(/forward value at \[.*\]: \S+ on the GPU, \S+ by the float64 reference/);
      expect(r.failures.join('\n')).not.toMatch(/elements over their bound/); // the gradient is right
    }
  });

  test('the reports state the criterion, the elements checked, the cases and the failures', async () => {
    const rows = await rg.runAudit({ only: ['scaledPoly', 'polyOne'], cases: 1 });
    const md = rg.auditMarkdown(rows, { seed: 0, cases: 1 });
    expect(md).toContain('|a_i - n_i| <= atol_i + rtol |n_i|');
    expect(md).toMatch(/\| rowLoss: polyOne \| 1 \| all \d+ \|/);
    expect(md).toMatch(/case 0: logits \[[\d, ]+\] \d+\/\d+; loss=polyOne reduction=(mean|sum)/);
    expect(md).toMatch(/## Failures\n\n- rowLoss: scaledPoly: case 0, logits/);
    const html = rg.auditHtml(rows, { seed: 0, cases: 1 });
    expect(html).toContain('class="tolerance"');
  });
});

describe('input forms and options', () => {
  test('gradgradcheck, checkForward, jvp and hvp take named inputs as gradcheck does', async () => {
    const z = rg.randn([2, 3]);
    const f = (t: rg.Tensor) => rg.sum(rg.tanh(t));
    expect((await rg.gradgradcheck(f, { z })).pass).toBe(true);
    expect((await rg.checkForward(f, { z })).pass).toBe(true);
    const t = rg.ones([2, 3]);
    const [, jt] = rg.jvp(f, { z }, { z: t });
    const [, byList] = rg.jvp(f, [z], [t]);
    expect(await jt.item()).toBeCloseTo(await byList.item(), 6);
    const [, hv] = rg.hvp(f, { z }, { z: t });
    expect(Object.keys(hv)).toEqual(['z']);
    expect(() => rg.jvp(f, { z }, { y: t })).toThrow("jvp: tangents name 'y', which is not an input (inputs: z)");
  });

  test('misspelt options are errors that name the key and list the valid ones', async () => {
    const z = rg.randn([2, 3]);
    const y = rg.tensor([0, 2], [2], { dtype: 'i32' });
    const p = poly('polyOptions', 1, 0);
    expect(() => rg.rootedLoss(z, y, { kk: 2 } as never)).toThrow("rootedLoss: unknown option 'kk'; valid options: reduction, fused, ignoreIndex, k, m");
    expect(() => rg.crossEntropy(z, y, { labelsmoothing: 0.1 } as never)).toThrow("crossEntropy: unknown option 'labelsmoothing' (did you mean 'labelSmoothing'?)");
    expect(() => rg.focalLoss(z, y, { gama: 2 } as never)).toThrow("focalLoss: unknown option 'gama'");
    expect(() => rg.binaryCrossEntropy(rg.randn([2]), rg.tensor([0, 1], [2], { dtype: 'i32' }), { k: 2 } as never)).toThrow("binaryCrossEntropy: unknown option 'k'");
    expect(() => rg.linearRootedLoss(rg.randn([2, 4]), rg.randn([3, 4]), y, { kk: 2 } as never)).toThrow("linearRootedLoss: unknown option 'kk'");
    expect(() => p.loss(z, y, { epsilon: 0.5 })).toThrow("polyOptions.loss: unknown option 'epsilon'; valid options: reduction, ignoreIndex, fused, eps");
    expect(() => p.linear(z, rg.randn([4, 3]), y, { strategy: 'tiled', chunkrows: 64 })).toThrow("polyOptions.linear: unknown option 'chunkrows' (did you mean 'chunkRows'?)");
    await expect(rg.gradcheck((t) => t, [z], { atoll: 1 } as never)).rejects.toThrow("gradcheck: unknown option 'atoll'");
    expect(() => rg.checkOptions('f', { a: 1, b: 2 }, ['a'])).toThrow("f: unknown option 'b'; valid options: a");
  });
});

describe("a user's WGSL that does not compile", () => {
  test('a defineRowLoss body: the first readback names the loss and quotes the line; every later call throws the same at once', async () => {
    plantedLosses.push('brokenRow');
    const bad = rg.defineRowLoss({
      name: 'brokenRow',
      wgsl: `fn row_loss(logp: f32) -> vec2<f32> {
  return vec2<f32>(-logp + undefinedThing, -1.0);
}`,
      reference: (lp) => -lp,
      compose: (lp) => rg.neg(lp),
    });
    const z = rg.randn([3, 4]);
    const y = rg.tensor([0, 1, 2], [3], { dtype: 'i32' });
    const first = await bad.loss(z, y).item().then(() => null, (e: Error) => e.message);
    expect(first).toContain("row loss 'brokenRow' (defineRowLoss): its WGSL does not compile");
    expect(first).toContain("unresolved value 'undefinedThing'");
    expect(first).toContain('return vec2<f32>(-logp + undefinedThing, -1.0);'); // the offending source line
    for (let i = 0; i < 2; i++) expect(() => bad.loss(z, y)).toThrow(/row loss 'brokenRow' \(defineRowLoss\): its WGSL does not compile[\s\S]*undefinedThing/);
  });

  test('a defineOp kernel is compiled at definition: once the device has answered, the first call throws the compiler message with the op name', async () => {
    const op = rg.defineOp({
      name: 'brokenOp',
      inputs: ['f32'],
      output: ([x]) => x,
      forward: { wgsl: `@group(0) @binding(1) var<storage, read> X: array<f32>;\n@group(0) @binding(2) var<storage, read_write> Y: array<f32>;\n@compute @workgroup_size(64)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>) { Y[gid.x] = X[gid.x] * notDefined; }`, workgroups: () => [1] },
      backward: { wgsl: `@group(0) @binding(1) var<storage, read> X: array<f32>;\n@compute @workgroup_size(64)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>) { }`, workgroups: () => [1] },
      reference: ([x]) => x,
      sample: () => ({ inputs: [rg.ones([2])] }),
    });
    await rg.ones([1]).item().catch(() => undefined); // a readback: the compile check has come back
    expect(() => op([rg.ones([4])])).toThrow(/defineOp 'brokenOp' \(its forward\): its WGSL does not compile[\s\S]*notDefined/);
    rg.customOps.delete('brokenOp');
  });
});

test('a function that returns its input as is (sumTo to its own shape): gradcheck, gradgradcheck and checkForward pass and leave the input alive', async () => {
  const x = rg.tensor([0.5, -1.5], [2]);
  const id = (t: rg.Tensor) => rg.sumTo(t, [2]);
  expect((await rg.gradcheck(id, { x })).pass).toBe(true);
  expect((await rg.gradgradcheck(id, { x })).pass).toBe(true);
  expect((await rg.checkForward(id, { x })).pass).toBe(true);
  expect(x.disposed).toBe(false);
  expect((await rg.referenceOutput(() => id(x), await rg.referenceValues([x]))).data).toEqual(Float64Array.from([0.5, -1.5]));
});
