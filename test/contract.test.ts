// The one op contract: infer runs the same checks on both backends; kernels are declared once (typed
// parameters and bindings); every op, defineOp's included, goes through the table (anomaly mode covers
// them); GPU-made indices are checked under detectAnomaly.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { defineKernel, packParams } from '../src/kernel.js';
import { rt } from '../src/runtime.js';
import { view } from '../src/ops/apply.js';
import { shaderNames } from '../src/shaders.js';
import commonWgsl from '../shaders/common.wgsl';
import { readdirSync } from 'node:fs';

beforeAll(setup);
afterEach(() => rg.detectAnomaly(false));

const host = (t: rg.Tensor, data: number[]) => new Map([[t, { shape: [...t.shape], data: Float64Array.from(data) }]]);

describe('infer: the same checks on both backends', () => {
  test.each([
    ['exp of an i32 tensor', (i: rg.Tensor) => rg.exp(i), 'exp: input must be f32, got i32 tensor of shape [2]'],
    ['matmul of an i32 tensor', (i: rg.Tensor) => rg.matmul(rg.reshape(i, [1, 2]), rg.reshape(i, [2, 1])), 'matmul: first input must be f32'],
    ['a label out of range', (i: rg.Tensor) => rg.crossEntropy(rg.zeros([2, 2]), i), 'crossEntropy: label 5 at position 1 is outside [0, 2)'],
  ])('%s', (_name, fn, message) => {
    const i = rg.tensor([1, 5], [2], { dtype: 'i32' });
    expect(() => fn(i)).toThrow(message);
    expect(() => rg.withBackend('reference', () => fn(i), host(i, [1, 5]))).toThrow(message);
    i.dispose();
  });

  test('output dtypes come from infer, on the reference backend too', () => {
    const x = rg.tensor([0.5, 2, 1], [3]);
    const [am, c] = rg.withBackend('reference', () => [rg.argmax(x), rg.cast(x, 'i32')], host(x, [0.5, 2, 1]));
    expect([am.dtype, c.dtype]).toEqual(['i32', 'i32']);
    expect(am.ref!.data[0]).toBe(1);
    x.dispose();
  });

  test('argmax and cast outputs are not part of the graph (no gradient to an index)', () => {
    const x = rg.tensor([0.5, 2, 1], [3], { requiresGrad: true });
    const am = rg.argmax(x);
    expect(am.requiresGrad).toBe(false);
    expect(am.node).toBeNull();
    for (const t of [am, x]) t.dispose();
  });
});

describe('kernel declarations', () => {
  // a kernel file as `import f from 'x.wgsl'` gives it: its name, text and included files
  const file = { name: 'test_scale_add', source: `#include "common.wgsl"
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.n) { return; }
  Y[gid.x] = params.a * X[gid.x] + params.b;
}`, includes: [commonWgsl] };
  const K = defineKernel(file, { n: 'u32', a: 'f32', b: 'f32' }, { X: 'read f32', Y: 'read_write f32' });

  test('the declaration gives the WGSL prelude and packs the words in declaration order', () => {
    expect(K.prelude).toContain('struct Params { n: u32, a: f32, b: f32, }');
    expect(K.prelude).toContain('@group(0) @binding(1) var<storage, read> X: array<f32>;');
    expect(K.prelude).toContain('@group(0) @binding(2) var<storage, read_write> Y: array<f32>;');
    const words = [...packParams(K, { b: 2, n: 3, a: 0.5 })]; // any key order: declaration order wins
    expect(words).toEqual([3, new Uint32Array(new Float32Array([0.5]).buffer)[0], new Uint32Array(new Float32Array([2]).buffer)[0]]);
    expect(() => defineKernel({ ...file, source: '// another text' }, { n: 'u32' }, {})).toThrow("two different WGSL files are named 'test_scale_add'");
    expect(() => defineKernel({ name: 'test_bad_array', source: '', includes: [] }, { dims: 'u32[]', n: 'u32' }, {})).toThrow("the array parameter 'dims' must be the last");
  });

  test('every kernel file in shaders/ is registered by the op that uses it (none is dead or unreachable)', () => {
    const files = readdirSync('shaders').filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5));
    const registered = new Set(shaderNames());
    expect(files.filter((f) => !registered.has(f))).toEqual([]);
  });

  test('a declared kernel runs with named bindings and parameters', async () => {
    const x = rg.tensor([1, 2, 3], [3]);
    const y = rg.zeros([3]);
    const r = rt();
    r.run(K, {}, { X: view(x), Y: view(y) }, { n: 3, a: 0.5, b: 2 }, [1]);
    // @ts-expect-error a misspelt parameter does not compile (npm test type-checks this file)
    if (false as boolean) r.run(K, {}, { X: view(x), Y: view(y) }, { n: 3, alpha: 0.5, b: 2 }, [1]);
    expect([...(await y.data())]).toEqual([2.5, 3, 3.5]);
    for (const t of [x, y]) t.dispose();
  });
});

describe('anomaly mode covers every op', () => {
  test('indices made on the GPU outside their bound are reported, naming the op', async () => {
    rg.detectAnomaly(true);
    const w = rg.randn([5, 3]);
    const idx = rg.cast(rg.tensor([0, 7], [2]), 'i32'); // GPU-made: no host copy to check at once
    expect(idx.host).toBeNull();
    const y = rg.embedding(idx, w);
    await expect(y.data()).rejects.toThrow("anomaly: 'embedding' forward on [5, 3], [2]: input 1 has indices outside [0, 5)");
    for (const t of [w, idx, y]) t.dispose();
  });

  test('a defineOp op runs through the table: anomaly mode names it', async () => {
    const nanOp = rg.defineOp({
      name: 'contractNaN',
      inputs: ['f32'],
      output: ([s]) => s,
      forward: {
        wgsl: `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= pu(0u)) { return; }
  let nan_bits = 0x7fc00000u | (gid.x & 0u); // a run-time value: a constant NaN does not compile
  Y[gid.x] = select(X[gid.x], bitcast<f32>(nan_bits), gid.x == 1u);
}`,
        workgroups: ([s]) => [Math.ceil(s[0] / 64)],
      },
      backward: { wgsl: '@compute @workgroup_size(1) fn main() {}', workgroups: () => [1] },
      reference: ([x]) => x,
      sample: () => ({ inputs: [rg.zeros([2])] }),
    });
    rg.detectAnomaly(true);
    const x = rg.tensor([1, 2, 3], [3]);
    const y = nanOp([x]);
    await expect(y.data()).rejects.toThrow("anomaly: 'contractNaN' forward on [3] produced NaN or Inf");
    rg.customOps.delete('contractNaN'); // keep the audit's list to ops with a real backward
    for (const t of [x, y]) t.dispose();
  });
});
