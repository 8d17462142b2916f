// OnnxModel as a module: fine-tuning an imported classifier, state dicts under ONNX names, inputs and
// symbolic dims, data-dependent ops, bad files (each an Error saying what and where, before any GPU
// allocation), and memory (run in a loop stays flat; dispose frees everything).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { accounted, rg, setup } from './helpers.js';
import { loadOnnx, registeredOps } from '../src/onnx/node.js';
import type { Tensor } from '../src/node.js';

const dir = 'test/fixtures/onnx';
const bytes = (name: string) => new Uint8Array(readFileSync(`${dir}/${name}`));

beforeAll(setup);

/** Loading must fail with a message matching `pattern`, allocating nothing on the GPU. */
async function refuses(source: Parameters<typeof loadOnnx>[0], pattern: RegExp, opts = {}): Promise<void> {
  // accounted(): live bytes with what the finalizer freed meanwhile (earlier tests' garbage) added back
  const [before, bytesBefore] = [rg.memory(), accounted().bytes];
  await expect(loadOnnx(source, opts)).rejects.toThrow(pattern);
  expect(accounted().bytes).toBe(bytesBefore);
  expect(rg.memory().buffersCreated).toBe(before.buffersCreated);
}

describe('loadOnnx: bad input', () => {
  it('empty, text, truncated and bit-flipped files are errors that say so', async () => {
    await refuses(new Uint8Array(0), /empty/);
    await refuses(new TextEncoder().encode('this is not an ONNX model, just some text\n'), /not a valid ONNX model/);
    const mlp = bytes('mlp.onnx');
    await refuses(mlp.subarray(0, Math.floor(mlp.length / 2)), /not a valid ONNX model|initializer|raw_data/);
    await refuses('test/fixtures/onnx/no-such-file.onnx', /no file/);
  });

  it('graph errors name the node, op and tensor', async () => {
    await refuses(`${dir}/bad_dangling.onnx`, /node 'relu1' \(Relu, opset 13\): input 'ghost' is produced by no node/);
    await refuses(`${dir}/bad_cycle.onnx`, /cycle through node 'r1' \(Relu, opset 13\), node 'r2' \(Relu, opset 13\)/);
    await refuses(`${dir}/bad_dim_negative.onnx`, /input 'x' dim 0: dim -5 is not a valid size/);
    await refuses(`${dir}/bad_dim_huge.onnx`, /input 'x' dim 0: dim 1099511627776 is not a valid size/);
    await refuses(`${dir}/bad_init_dim.onnx`, /initializer 'w' dim 0: dim -5/);
    await refuses(`${dir}/bad_domain.onnx`, /node 'custom1' \(Relu\): unknown domain 'com.example'/);
    await refuses(`${dir}/bad_external_missing.onnx`, /initializer 'weight': external data 'missing_weight.bin' was not found/);
  });

  it('a refused attribute fails at load, naming the node, op and opset (BatchNormalization spatial=0)', async () => {
    await refuses(`${dir}/bn_spatial0.onnx`, /^node 'bn_per_activation' \(BatchNormalization, opset 7\): spatial=0 \(statistics per activation.*\) is not supported/);
  });

  it("an error from a rootgrad op inside a node names the node, op and opset", async () => {
    const m = await loadOnnx(`${dir}/bad_broadcast.onnx`);
    const a = rg.zeros([2]);
    const b = rg.zeros([3]);
    await expect(m.run({ a, b })).rejects.toThrow(/^node 'sum_ab' \(Add, opset 13\): .*\[2\].*\[3\]/);
    expect(() => m.forward(a, b)).toThrow(/^node 'sum_ab' \(Add, opset 13\): /);
    a.dispose();
    b.dispose();
    m.dispose();
  });

  it('an unsupported op fails at load, naming the op and opset', async () => {
    await refuses(`${dir}/bad_unsupported.onnx`, /unsupported ONNX op 'NoSuchOp' \(opset 13\) at node 'mystery'/);
    expect(registeredOps().some((o) => o.op === 'Gemm')).toBe(true);
    expect(registeredOps().some((o) => o.op === 'NoSuchOp')).toBe(false);
  });

  it('an int64 value outside the i32 range is an error naming the tensor', async () => {
    const m = await loadOnnx(`${dir}/bad_int64_range.onnx`);
    const x = rg.tensor([1, 2, 3]);
    await expect(m.run({ x })).rejects.toThrow(/index 1099511627776 is out of range|outside the int32 range/);
    x.dispose();
    m.dispose();
  });

  it('truncations and byte flips of a real model load or throw an Error, never crash, and leak nothing', async () => {
    const mlp = bytes('mlp.onnx');
    const start = accounted().bytes;
    await fc.assert(
      fc.asyncProperty(fc.oneof(
        fc.integer({ min: 0, max: mlp.length - 1 }).map((n) => mlp.slice(0, n)),
        fc.tuple(fc.integer({ min: 0, max: mlp.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([i, b]) => {
          const copy = mlp.slice();
          copy[i] ^= 1 << b;
          return copy;
        }),
      ), async (data) => {
        try {
          const m = await loadOnnx(data);
          m.dispose();
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.length).toBeGreaterThan(10);
        }
        expect(accounted().bytes).toBe(start);
      }),
      { numRuns: 150, seed: 27 },
    );
  });
});

describe('OnnxModel', () => {
  it('reports inputs and outputs; feeds are checked against the declared dims', async () => {
    const m = await loadOnnx(`${dir}/mlp.onnx`);
    expect(m.inputNames).toEqual(['input']);
    expect(m.outputNames).toEqual(['output']);
    expect(m.inputs[0]).toMatchObject({ name: 'input', dtype: 'f32', onnxType: 'float32', shape: [5, 8] });
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    const wrong = rg.zeros([5, 7]);
    await expect(m.run({ input: wrong })).rejects.toThrow(/input 'input' has shape \[5, 7\], expected \[5, 8\]/);
    await expect(m.run({})).rejects.toThrow(/input 'input' is missing \(expected f32 \[5, 8\]\)/);
    await expect(m.run({ nope: wrong })).rejects.toThrow(/unknown input 'nope'/);
    const ints = rg.zeros([5, 8]).cast('i32');
    expect(() => m.forward(ints)).toThrow(/input 'input' must be f32, got i32/);
    for (const t of [wrong, ints]) t.dispose();
    m.dispose();
  });

  it('symbolic dims: shape arithmetic runs on the host per input signature', async () => {
    const m = await loadOnnx(`${dir}/symbolic_reshape.onnx`);
    expect(m.inputs[0].shape).toEqual(['N', 2, 3]);
    for (const N of [1, 4, 1]) {
      const x = rg.arange(0, N * 6, 1, { dtype: 'f32' }).reshape([N, 2, 3]);
      const y = m.forward(x) as Tensor;
      expect(y.shape).toEqual([N, 6]);
      expect(Array.from(await y.data())).toEqual(Array.from({ length: N * 6 }, (_, i) => i));
      x.dispose();
      y.dispose();
    }
    m.dispose();
  });

  it('a shape fed as an int64 input is read from its host copy, and results are not cached across values', async () => {
    const m = await loadOnnx(`${dir}/reshape_input.onnx`);
    const x = rg.arange(0, 12, 1, { dtype: 'f32' }).reshape([2, 6]);
    for (const target of [[3, 4], [4, 3], [6, 2], [3, 4]]) {
      const shape = rg.tensor(new Int32Array(target), [2], { dtype: 'i32' });
      const y = m.forward(x, shape) as Tensor;
      expect(y.shape).toEqual(target);
      const { y: y2 } = await m.run({ x, shape });
      expect(y2.shape).toEqual(y.shape);
      for (const t of [shape, y, y2]) t.dispose();
    }
    x.dispose();
    m.dispose();
  });

  it('external data is read from the file beside the model, or given as bytes', async () => {
    const x = rg.tensor([[1, 0], [0, 1], [1, 1]]);
    for (const source of [`${dir}/external.onnx`, bytes('external.onnx')]) {
      const m = await loadOnnx(source, { externalData: { 'external_weight.bin': bytes('external_weight.bin') } });
      const y = m.forward(x) as Tensor;
      expect(Array.from(await y.data())).toEqual([0, 1, 2, 3, 4, 5, 3, 5, 7]);
      y.dispose();
      m.dispose();
    }
    await refuses(bytes('external.onnx'), /external data 'external_weight.bin' was not found/);
    x.dispose();
  });

  it('data-dependent shapes: run() reads back, forward() refuses with a message', async () => {
    const m = await loadOnnx(`${dir}/nonzero.onnx`);
    const x = rg.tensor([0, 3, 0, 5]);
    const { y } = await m.run({ x });
    expect(y.shape).toEqual([1, 2]);
    expect(Array.from(await y.data())).toEqual([1, 3]);
    expect(() => m.forward(x)).toThrow(/node 'nz' \(NonZero, opset 13\): X must be known on the host.*use await model.run/);
    x.dispose();
    y.dispose();
    m.dispose();
  });

  it('fine-tunes an imported classifier with rootedLoss and AdamW; the state dict round-trips through safetensors', async () => {
    const m = await loadOnnx(`${dir}/mlp.onnx`);
    m.train();
    rg.manualSeed(3);
    const x = rg.randn([5, 8]);
    const labels = rg.tensor(new Int32Array([0, 1, 2, 1, 0]), [5], { dtype: 'i32' });
    const opt = new rg.AdamW(m.parameters(), { lr: 0.02 });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const loss = rg.tidy(() => {
        opt.zeroGrad();
        const l = rg.rootedLoss(m.forward(x) as Tensor, labels);
        l.backward();
        return l;
      });
      opt.step();
      losses.push(await loss.item());
      loss.dispose();
    }
    expect(losses[29]).toBeLessThan(0.5 * losses[0]);
    m.eval();
    const state = rg.toSafetensors(await rg.toHost(m.stateDict()));
    const names = Object.keys(rg.fromSafetensors(state).tensors).sort();
    expect(names).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    const fresh = await loadOnnx(`${dir}/mlp.onnx`);
    const y0 = fresh.forward(x) as Tensor;
    fresh.loadStateDict(rg.fromSafetensors(state).tensors);
    const y1 = fresh.forward(x) as Tensor;
    const y2 = m.forward(x) as Tensor;
    expect(Array.from(await y1.data())).toEqual(Array.from(await y2.data()));
    expect(Array.from(await y0.data())).not.toEqual(Array.from(await y2.data()));
    for (const t of [x, labels, y0, y1, y2]) t.dispose();
    opt.dispose?.();
    m.dispose();
    fresh.dispose();
  });

  it('paddle2onnx-style weights in Constant nodes become parameters with constantsAsParameters; float16 is held as f32', async () => {
    const { tensors: f } = rg.fromSafetensors(readFileSync(`${dir}/paddle_style.safetensors`));
    const x = rg.tensor(f.input.data, f.input.shape);
    for (const constantsAsParameters of [false, true]) {
      const m = await loadOnnx(`${dir}/paddle_style.onnx`, { constantsAsParameters });
      expect(m.inputs[0].shape).toEqual(['batch', 4]);
      expect(m.namedParameters().map(([n]) => n)).toEqual(constantsAsParameters ? ['bias16', 'W'] : ['bias16']);
      expect(m.summary()).toMatch(/1 initializer float16 held as f32/);
      const y = m.forward(x) as Tensor;
      const got = await y.data();
      f.output.data.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      if (constantsAsParameters) {
        y.sum().backward();
        expect(m.namedParameters()[1][1].grad).not.toBeNull();
      }
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });

  it('auditModule and compile work on an imported model', async () => {
    const m = await loadOnnx(`${dir}/lenet.onnx`);
    rg.manualSeed(5);
    const batch = { x: rg.randn([2, 1, 12, 12]), y: rg.tensor(new Int32Array([3, 7]), [2], { dtype: 'i32' }) };
    // (LeNet's export has Pad, shape arithmetic on the host and uploads of host constants in every call)
    const audit = await rg.auditModule(m, (mm, b: typeof batch) => rg.crossEntropy((mm as typeof m).forward(b.x) as Tensor, b.y), batch, { fastMode: true });
    expect(audit.rows.map((r) => r.parameter)).toEqual(m.namedParameters().map(([n]) => n));
    expect(audit.pass).toBe(true);
    const f = rg.compile((x: Tensor) => m.forward(x) as Tensor);
    const eager = m.forward(batch.x) as Tensor;
    const want = Array.from(await eager.data());
    for (let i = 0; i < 3; i++) {
      const y = f(batch.x) as Tensor;
      expect(Array.from(await y.data())).toEqual(want);
      y.dispose();
    }
    for (const t of [eager, batch.x, batch.y]) t.dispose();
    m.dispose();
  });

  it('trainable: false records no gradients', async () => {
    const m = await loadOnnx(`${dir}/mlp.onnx`, { trainable: false });
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const x = rg.randn([5, 8]);
    const y = m.forward(x) as Tensor;
    expect(y.requiresGrad).toBe(false);
    x.dispose();
    y.dispose();
    m.dispose();
  });

  it('run in a loop keeps live bytes flat; dispose frees everything', async () => {
    const live = () => accounted().bytes; // with what the finalizer freed meanwhile added back
    const start = live();
    const m = await loadOnnx(`${dir}/gpt.onnx`);
    const loaded = live();
    expect(loaded).toBeGreaterThan(start);
    const idx = rg.tensor(new Int32Array(16).map((_, i) => i % 24), [2, 8], { dtype: 'i32' });
    let after = 0;
    for (let i = 0; i < 4; i++) {
      const { output } = await m.run({ input: idx });
      output.dispose();
      if (i === 1) after = live();
      if (i > 1) expect(live()).toBe(after);
    }
    idx.dispose();
    m.dispose();
    expect(live()).toBe(start);
  });
});
