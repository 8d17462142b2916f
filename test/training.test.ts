// Modules, optimisers against float64 reference steps, schedules, data, safetensors, a real training run.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectClose, rg, setup, tol } from './helpers.js';

beforeAll(setup);

const bits = async (t: rg.Tensor) => Array.from(new Uint32Array((await t.data()).buffer));

describe('modules', () => {
  test('Linear follows PyTorch: weight [out, in], U(-1/sqrt(in), 1/sqrt(in)), y = x W^T + b', async () => {
    rg.manualSeed(0);
    const lin = new rg.Linear(16, 4);
    expect(lin.weight.shape).toEqual([4, 16]);
    const w = await lin.weight.data();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    const x = rg.randn([3, 16]);
    const y = await lin.forward(x).data();
    const xs = await x.data();
    const b = await lin.bias!.data();
    const want = [0, 1, 2].flatMap((i) => [0, 1, 2, 3].map((o) => b[o] + Array.from({ length: 16 }, (_, j) => xs[i * 16 + j] * w[o * 16 + j]).reduce((s, v) => s + v, 0)));
    expectClose(y, want, tol.forward, 'linear');
  });

  test('names, train/eval, dropout and state dicts', async () => {
    rg.manualSeed(1);
    const net = rg.mlp([4, 8, 3], { dropout: 0.5 });
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']); // Linear, ReLU, Dropout, Linear: PyTorch's indices
    expect(net.numParameters()).toBe(4 * 8 + 8 + 8 * 3 + 3);
    const x = rg.ones([64, 4]);
    const drop = new rg.Dropout(0.5);
    const d = await drop.forward(rg.ones([1000])).data();
    expect(new Set(d)).toEqual(new Set([0, 2]));
    const kept = d.filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(430);
    expect(kept).toBeLessThan(570);
    net.eval();
    const a = await net.forward(x).data();
    const b = await net.forward(x).data();
    expect(Array.from(a)).toEqual(Array.from(b)); // no dropout in eval
    const other = rg.mlp([4, 8, 3], { dropout: 0.5 }).eval();
    other.loadStateDict(net.stateDict());
    expect(Array.from(await other.forward(x).data())).toEqual(Array.from(a));
    expect(() => other.loadStateDict({ ...net.stateDict(), extra: rg.zeros([1]) })).toThrow("loadStateDict: unexpected parameter 'extra'");
    expect(() => other.loadStateDict({ ...net.stateDict(), '0.bias': rg.zeros([9]) })).toThrow("loadStateDict: parameter '0.bias' has shape [9] in the state, [8] in the model");
  });
});

/** f64 reference optimiser steps (PyTorch's update rules). */
function refSteps(kind: 'sgd' | 'nesterov' | 'adam' | 'adamw', p0: number[], grads: number[][], o: { lr: number; momentum: number; wd: number; b1: number; b2: number; eps: number }): number[] {
  const p = [...p0];
  const buf = p.map(() => 0), m = p.map(() => 0), v = p.map(() => 0);
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      if (kind === 'sgd' || kind === 'nesterov') {
        let d = g[i] + o.wd * p[i];
        buf[i] = t === 0 ? d : o.momentum * buf[i] + d;
        d = kind === 'nesterov' ? d + o.momentum * buf[i] : buf[i];
        p[i] -= o.lr * d;
      } else {
        let gi = g[i];
        if (kind === 'adamw') p[i] *= 1 - o.lr * o.wd;
        else gi += o.wd * p[i];
        m[i] = o.b1 * m[i] + (1 - o.b1) * gi;
        v[i] = o.b2 * v[i] + (1 - o.b2) * gi * gi;
        const mh = m[i] / (1 - o.b1 ** (t + 1));
        const vh = v[i] / (1 - o.b2 ** (t + 1));
        p[i] -= (o.lr * mh) / (Math.sqrt(vh) + o.eps);
      }
    }
  });
  return p;
}

describe('optimisers match a float64 reference step', () => {
  for (const kind of ['sgd', 'nesterov', 'adam', 'adamw'] as const) {
    test(kind, async () => {
      const o = { lr: 0.05, momentum: 0.9, wd: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8 };
      const g = new rg.Generator(7);
      const n = 37;
      const p0 = Array.from({ length: n }, () => Math.fround(g.normal()));
      const grads = [0, 1, 2].map(() => Array.from({ length: n }, () => Math.fround(g.normal())));
      const p = rg.tensor(p0, [n], { requiresGrad: true });
      const opt =
        kind === 'sgd' || kind === 'nesterov'
          ? new rg.SGD([p], { lr: o.lr, momentum: o.momentum, nesterov: kind === 'nesterov', weightDecay: o.wd })
          : kind === 'adam'
            ? new rg.Adam([p], { lr: o.lr, weightDecay: o.wd })
            : new rg.AdamW([p], { lr: o.lr, weightDecay: o.wd });
      for (const gr of grads) {
        p.grad = rg.keep(rg.tensor(gr, [n]));
        opt.step();
        opt.zeroGrad();
      }
      expectClose(await p.data(), refSteps(kind, p0, grads, o), { atol: 1e-6, rtol: 1e-5 }, kind);
    });
  }

  test('a packed group: one update dispatch for all parameters, each updated as the reference says', async () => {
    const o = { lr: 0.05, momentum: 0.9, wd: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8 };
    for (const kind of ['nesterov', 'adamw'] as const) {
      const g = new rg.Generator(11);
      const sizes = [37, 5, 70, 1, 64];
      const p0 = sizes.map((n) => Array.from({ length: n }, () => Math.fround(g.normal())));
      const grads = [0, 1, 2].map(() => sizes.map((n) => Array.from({ length: n }, () => Math.fround(g.normal()))));
      const ps = p0.map((v) => rg.tensor(v, [v.length], { requiresGrad: true }));
      const opt = kind === 'nesterov' ? new rg.SGD(ps, { lr: o.lr, momentum: o.momentum, nesterov: true, weightDecay: o.wd }) : new rg.AdamW(ps, { lr: o.lr, weightDecay: o.wd });
      expect(opt.packed).toBe(true);
      const counts: number[] = [];
      for (const step of grads) {
        ps.forEach((p, i) => (p.grad = rg.keep(rg.tensor(step[i], [sizes[i]]))));
        const d0 = rg.memory().dispatches;
        opt.step();
        counts.push(rg.memory().dispatches - d0);
        opt.zeroGrad();
      }
      // the update alone: the clipping factor is stamped with its step, not reset (the first step also
      // zero-fills the state)
      expect(counts.slice(1), kind).toEqual([1, 1]);
      for (let i = 0; i < sizes.length; i++) expectClose(await ps[i].data(), refSteps(kind, p0[i], grads.map((s) => s[i]), o), { atol: 1e-6, rtol: 1e-5 }, `${kind} parameter ${i}`);
      opt.dispose();
      for (const p of ps) p.dispose();
    }
  });

  test('an empty parameter in a packed group is harmless', async () => {
    const p = rg.tensor([1, 2, 3], [3], { requiresGrad: true });
    const e = rg.zeros([0], { requiresGrad: true });
    const opt = new rg.Adam([p, e], { lr: 0.1 });
    p.grad = rg.keep(rg.tensor([1, 1, 1], [3]));
    e.grad = rg.keep(rg.zeros([0]));
    opt.step();
    expect((await p.data()).every((v, i) => Math.abs(v - (i + 1 - 0.1)) < 1e-5)).toBe(true);
    expect((await e.data()).length).toBe(0);
    opt.dispose();
  });

  test('a parameter without a gradient is left alone, and its momentum starts at its own first gradient', async () => {
    const o = { lr: 0.1, momentum: 0.9, wd: 0, b1: 0.9, b2: 0.999, eps: 1e-8 };
    const a = rg.tensor([1, 2, 3], [3], { requiresGrad: true });
    const b = rg.tensor([-1, 5], [2], { requiresGrad: true });
    const opt = new rg.SGD([a, b], { lr: o.lr, momentum: o.momentum });
    const ga = [[1, 0, -1], [0.5, 0.5, 0.5], [2, -2, 1]];
    const gb = [null, [1, 1], [-3, 0.5]];
    for (let s = 0; s < 3; s++) {
      a.grad = rg.keep(rg.tensor(ga[s], [3]));
      if (gb[s]) b.grad = rg.keep(rg.tensor(gb[s]!, [2]));
      opt.step();
      opt.zeroGrad();
      if (s === 0) expect([...(await b.data())]).toEqual([-1, 5]);
    }
    expectClose(await a.data(), refSteps('sgd', [1, 2, 3], ga, o), { atol: 1e-6, rtol: 1e-6 }, 'a');
    expectClose(await b.data(), refSteps('sgd', [-1, 5], gb.slice(1) as number[][], o), { atol: 1e-6, rtol: 1e-6 }, 'b');
  });

  test('a second optimiser over the same parameters takes them over; the first still steps them correctly', async () => {
    const p = rg.tensor([1, 2], [2], { requiresGrad: true });
    const q = rg.tensor([3], [1], { requiresGrad: true });
    const first = new rg.SGD([p, q], { lr: 1 });
    const second = new rg.SGD([p, q], { lr: 0.5 });
    for (const opt of [first, second]) {
      p.grad = rg.keep(rg.tensor([1, 1], [2]));
      q.grad = rg.keep(rg.tensor([2], [1]));
      opt.step();
      opt.zeroGrad();
    }
    expect([...(await p.data())]).toEqual([-0.5, 0.5]);
    expect([...(await q.data())]).toEqual([0]);
    first.dispose();
    p.grad = rg.keep(rg.tensor([2, 2], [2]));
    q.grad = rg.keep(rg.tensor([2], [1]));
    second.step();
    expect([...(await p.data())]).toEqual([-1.5, -0.5]);
  });

  test('clipping by global norm scales one step and reports the norm', async () => {
    const p = rg.tensor([0, 0, 0, 0], [4], { requiresGrad: true });
    const q = rg.tensor([0], [1], { requiresGrad: true });
    const opt = new rg.SGD([p, q], { lr: 1 });
    p.grad = rg.keep(rg.tensor([3, 0, 0, 0]));
    q.grad = rg.keep(rg.tensor([4]));
    const norm = opt.clipGradNorm(1);
    opt.step();
    expect(await norm.item()).toBeCloseTo(5, 5);
    expectClose(await p.data(), [-0.6, 0, 0, 0], { atol: 1e-6, rtol: 0 }, 'clipped p');
    expectClose(await q.data(), [-0.8], { atol: 1e-6, rtol: 0 }, 'clipped q');
    opt.step(); // the factor is reset after a step
    expectClose(await q.data(), [-4.8], { atol: 1e-5, rtol: 0 }, 'unclipped second step');
  });

  test('state round trip resumes identically', async () => {
    const run = async (split: boolean) => {
      const p = rg.tensor([1, -2, 3], [3], { requiresGrad: true });
      let opt = new rg.Adam([p], { lr: 0.1 });
      for (let i = 0; i < 4; i++) {
        if (split && i === 2) {
          const st = opt.state();
          const host = { ...st, slots: await Promise.all(st.slots.map(async (s) => Object.fromEntries(await Promise.all(Object.entries(s).map(async ([k, t]) => [k, { shape: [...t.shape], data: await (t as rg.Tensor).data() }]))))) };
          opt.dispose();
          opt = new rg.Adam([p], { lr: 0.1 });
          opt.loadState(host);
        }
        p.grad = rg.keep(rg.tensor([0.5 * i, -1, 2], [3]));
        opt.step();
        opt.zeroGrad();
      }
      return bits(p);
    };
    expect(await run(true)).toEqual(await run(false));
  });

  test('bad hyperparameters are refused', () => {
    const p = rg.zeros([2], { requiresGrad: true });
    expect(() => new rg.SGD([p], { lr: -1 })).toThrow('SGD: lr must be a non-negative finite number, got -1');
    expect(() => new rg.Adam([p], { betas: [1, 0.9] })).toThrow('Adam: beta1 must be in [0, 1), got 1');
    expect(() => new rg.SGD([p], { lr: 0.1, nesterov: true })).toThrow('SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0, dampening 0');
  });
});

test('cosine schedule with warm-up', () => {
  const f = rg.cosineSchedule(1, { total: 110, warmup: 10 });
  expect(f(0)).toBeCloseTo(0.1);
  expect(f(9)).toBeCloseTo(1);
  expect(f(10)).toBeCloseTo(1);
  expect(f(60)).toBeCloseTo(0.5);
  expect(f(110)).toBeCloseTo(0);
});

describe('data', () => {
  test('the shipped data sets load with their shapes', () => {
    const d = rg.loadDataset('digits');
    expect([d.n, d.features, d.classes]).toEqual([1797, 64, 10]);
    const b = rg.loadDataset('breast-cancer');
    expect([b.n, b.features, b.classes, b.classNames]).toEqual([569, 30, 2, ['malignant', 'benign']]);
  });

  test('split, standardisation and batches are deterministic', () => {
    const d = rg.loadDataset('breast-cancer');
    const a = rg.trainTestSplit(d, 0.2, 3);
    const b = rg.trainTestSplit(d, 0.2, 3);
    expect(Array.from(a.test.y)).toEqual(Array.from(b.test.y));
    expect(a.train.n + a.test.n).toBe(569);
    const s = rg.fitStandardizer(a.train);
    const z = rg.standardize(a.train, s);
    const col0 = Array.from({ length: z.n }, (_, i) => z.x[i * z.features]);
    expect(col0.reduce((x, y) => x + y, 0) / z.n).toBeCloseTo(0, 4);
    const b1 = rg.batchIndices(100, 32, new rg.Generator(1)).map((x) => Array.from(x));
    const b2 = rg.batchIndices(100, 32, new rg.Generator(1)).map((x) => Array.from(x));
    expect(b1).toEqual(b2);
    expect(b1.map((x) => x.length)).toEqual([32, 32, 32, 4]);
  });

  test.each([
    ['1,2,0\n3,x,1\n', "csv: line 2, column 2: 'x' is not a finite number"],
    ['1,2,0\n3,1\n', 'csv: line 2 has 2 columns, expected 3'],
    ['1,2,0.5\n3,1,1\n', 'csv: line 1: label 0.5 is not an integer'],
    ['1,0\n2,0\n', 'csv: labels need at least 2 classes, found 1'],
    ['', 'csv: no rows'],
  ])('bad CSV %#', (text, message) => {
    expect(() => rg.parseCsv(text)).toThrow(message);
  });

  test('CSV labels that are not 0..K-1 are mapped in order; a header line is skipped', () => {
    const d = rg.parseCsv('a,b,label\n1,2,5\n3,4,7\n5,6,5\n');
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(d.features).toBe(2);
  });
});

describe('safetensors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rootgrad-'));

  test('save then load reproduces a model output bit for bit', async () => {
    rg.manualSeed(2);
    const model = new rg.MLPClassifier({ kind: 'mlp', inputs: 8, hidden: [16], classes: 3 });
    const x = rg.randn([5, 8]);
    const y1 = await bits(model.forward(x));
    const path = join(dir, 'm.safetensors');
    await rg.save(model, path, { note: 'hello' });
    const { tensors, metadata } = rg.load(path);
    expect(metadata).toEqual({ note: 'hello' });
    expect(Object.keys(tensors).sort()).toEqual(['net.0.bias', 'net.0.weight', 'net.2.bias', 'net.2.weight']); // PyTorch's nn.Sequential(Linear, ReLU, Linear)
    rg.manualSeed(99);
    const other = new rg.MLPClassifier({ kind: 'mlp', inputs: 8, hidden: [16], classes: 3 });
    other.loadStateDict(tensors);
    expect(await bits(other.forward(x))).toEqual(y1);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  test('the format is the reference layout: u64 header length, JSON, 8-byte aligned little-endian data', () => {
    const bytes = rg.toSafetensors({ b: { dtype: 'i32', shape: [2], data: new Int32Array([1, -1]) }, a: { dtype: 'f32', shape: [1, 1], data: new Float32Array([1.5]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ a: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] }, b: { dtype: 'I32', shape: [2], data_offsets: [4, 12] } });
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0, 0, 0xc0, 0x3f, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  });

  test('F16, BF16, F64 and I64 written by other tools are read (as f32 / i32)', () => {
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] }, d: { dtype: 'F64', shape: [1], data_offsets: [6, 14] }, i: { dtype: 'I64', shape: [1], data_offsets: [14, 22] } });
    const head = new TextEncoder().encode(header);
    const buf = new Uint8Array(8 + head.length + 22);
    const dv = new DataView(buf.buffer);
    dv.setBigUint64(0, BigInt(head.length), true);
    buf.set(head, 8);
    const o = 8 + head.length;
    dv.setUint16(o, 0x3c00, true); // 1.0
    dv.setUint16(o + 2, 0xc000, true); // -2.0
    dv.setUint16(o + 4, 0x4049, true); // bf16 3.140625
    dv.setFloat64(o + 6, 0.1, true);
    dv.setBigInt64(o + 14, -7n, true);
    const { tensors } = rg.fromSafetensors(buf);
    expect(Array.from(tensors.h.data)).toEqual([1, -2]);
    expect(tensors.b.data[0]).toBeCloseTo(3.140625);
    expect(tensors.d.data[0]).toBeCloseTo(0.1);
    expect(Array.from(tensors.i.data)).toEqual([-7]);
  });

  test('malformed or truncated files are clear errors', () => {
    const good = rg.toSafetensors({ w: { dtype: 'f32', shape: [4], data: new Float32Array([1, 2, 3, 4]) } });
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 5), /shorter than the 8-byte header length/],
      [good.subarray(0, good.length - 4), /past the 12 data bytes \(truncated file\?\)/],
      [(() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 1n << 60n, true); return b; })(), /header length \d+ exceeds the file/],
      [(() => { const b = good.slice(); b[9] = 0x7b; b[10] = 0x7b; return b; })(), /header is not UTF-8 JSON/],
    ];
    for (const [bytes, msg] of cases) expect(() => rg.fromSafetensors(bytes, 'f')).toThrow(msg);
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, 'not a safetensors file at all');
    expect(() => rg.load(path)).toThrow(/not a valid safetensors file/);
    expect(() => rg.load(join(dir, 'missing.safetensors'))).toThrow(/cannot read .*missing.safetensors.*ENOENT/);
  });

  test('fuzzed bytes never crash or hang: a clean load or an Error', () => {
    const good = rg.toSafetensors({ w: { dtype: 'f32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { a: 'b' });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(good.length), (muts, cut) => {
        const b = good.slice(0, Math.max(cut, 0));
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        try {
          rg.fromSafetensors(b);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/safetensors/);
        }
      }),
      { numRuns: 300, seed: tol.seed },
    );
  });
});

test('training the MLP on the digits with the rooted loss reaches 95% test accuracy (a test-sized run)', async () => {
  const ds = rg.loadDataset('digits');
  const { train, test } = rg.trainTestSplit(ds, 0.2, 0);
  const st = rg.fitStandardizer(train);
  const cfg = { ...rg.defaultTrainConfig, loss: 'rooted' as const, epochs: 8, batch: 64, lr: 2e-3, seed: 0 };
  const { model, history } = await rg.trainClassifier({ kind: 'mlp', inputs: 64, hidden: [128], classes: 10 }, rg.standardize(train, st), rg.standardize(test, st), cfg);
  const last = history[history.length - 1];
  expect(last.testAccuracy).toBeGreaterThanOrEqual(0.95);
  expect(history[0].trainLoss).toBeGreaterThan(last.trainLoss);
  model.dispose();
});

test('two runs with the same seed give bitwise identical weights', async () => {
  const ds = rg.loadDataset('breast-cancer');
  const { train, test } = rg.trainTestSplit(ds, 0.2, 1);
  const st = rg.fitStandardizer(train);
  const run = async () => {
    const { model } = await rg.trainClassifier({ kind: 'mlp', inputs: 30, hidden: [16], classes: 2, dropout: 0.1 }, rg.standardize(train, st), rg.standardize(test, st), { ...rg.defaultTrainConfig, epochs: 2, seed: 4 });
    const out = await Promise.all(model.parameters().map(bits));
    model.dispose();
    return out;
  };
  expect(await run()).toEqual(await run());
});
