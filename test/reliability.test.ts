// Reliability: errors that name the op and the values, anomaly mode, no leaks over long runs, fuzzed
// CSV loading, device loss and recovery.
import fc from 'fast-check';
import { describe, expect, test, beforeAll } from 'vitest';
import { accounted, collectGarbage, rg, setup, tol } from './helpers.js';
import { current } from '../src/gpu.js';

beforeAll(setup);

describe('bad input everywhere a user reaches', () => {
  const f = () => rg.zeros([2, 3]);
  const i32 = (v: number[], shape = [v.length]) => rg.tensor(v, shape, { dtype: 'i32' });
  test.each([
    ['i32 where f32 is needed', () => rg.softmax(i32([1, 2])), 'softmax: input must be f32, got i32 tensor of shape [2]'],
    ['negative axis out of range', () => rg.sum(f(), -3), 'sum: axis -3 is out of range for a tensor of 2 dimensions'],
    ['non-integer axis', () => rg.mean(f(), 0.5), 'mean: axis must be an integer, got 0.5'],
    ['mismatched batch dimensions', () => rg.matmul(rg.zeros([2, 3, 4]), rg.zeros([5, 4, 2])), 'matmul: shapes [2] and [5] cannot be broadcast together'],
    ['1-D matmul', () => rg.matmul(rg.zeros([3]), rg.zeros([3, 2])), 'matmul: both inputs need at least 2 dimensions, got [3] and [3, 2]'],
    ['NaN in k', () => rg.rootedLoss(f(), i32([0, 1]), { k: NaN }), 'rootedLoss: k must be a positive finite number, got NaN'],
    ['non-integer label', () => rg.tensor([0, 1.5], [2], { dtype: 'i32' }), 'tensor: i32 values must be integers, got 1.5 at position 1'],
    ['label out of range', () => rg.crossEntropy(f(), i32([0, 7])), 'crossEntropy: label 7 at position 1 is outside [0, 3)'],
    ['binary label', () => rg.binaryCrossEntropy(rg.zeros([2]), i32([0, 3])), 'binaryCrossEntropy: labels must be 0 or 1, got 3 at position 1'],
    ['pow exponent', () => rg.pow(f(), Infinity), 'pow: the exponent must be a finite number, got Infinity'],
    ['reshape -1 twice', () => rg.reshape(f(), [-1, -1]), 'reshape: only one dimension can be -1, got [-1, -1]'],
    ['negative shape', () => rg.zeros([2, -1]), 'full: invalid shape [2, -1]: dimensions must be non-negative integers'],
    ['attention shapes', () => rg.attention(rg.zeros([1, 1, 2, 4]), rg.zeros([1, 1, 3, 4]), rg.zeros([1, 1, 2, 4])), 'attention: q, k and v must all be [B, H, T, D], got [1, 1, 2, 4], [1, 1, 3, 4] and [1, 1, 2, 4]'],
    ['layerNorm weight', () => rg.layerNorm(f(), rg.ones([2]), rg.zeros([3])), 'layerNorm: weight and bias must be [3] for input [2, 3], got [2] and [3]'],
    ['embedding index', () => rg.embedding(i32([4]), f()), 'embedding: index 4 at position 0 is outside [0, 2)'],
    ['Linear sizes', () => new rg.Linear(0, 3), 'Linear: sizes must be positive integers, got 0 -> 3'],
    ['Dropout p', () => new rg.Dropout(1), 'Dropout: p must be in [0, 1), got 1'],
    ['optimizer lr', () => new rg.Adam([rg.zeros([1], { requiresGrad: true })], { lr: NaN }), 'Adam: lr must be a non-negative finite number, got NaN'],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('anomaly mode', () => {
  test('names the first op whose forward produced NaN/Inf, with its shapes', async () => {
    rg.detectAnomaly(true);
    try {
      const x = rg.tensor([1, 100, 2]);
      const y = rg.log(rg.mul(rg.exp(x), 0)); // exp(100) overflows f32; inf * 0 is NaN downstream
      await expect(y.data()).rejects.toThrow(/^anomaly: 'exp' forward on \[3\] produced NaN or Inf \(the first of \d flagged ops\)/);
      const ok = rg.exp(rg.tensor([1]));
      expect(Array.from(await ok.data())[0]).toBeCloseTo(Math.E, 5); // the report was cleared
    } finally {
      rg.detectAnomaly(false);
    }
  });

  test('and the first backward', async () => {
    rg.detectAnomaly(true);
    try {
      const x = rg.tensor([0, 1], [2], { requiresGrad: true });
      rg.sum(rg.sqrt(x)).backward(); // d sqrt(x)/dx = inf at 0
      await expect(x.grad!.data()).rejects.toThrow("anomaly: 'sqrt' backward (gradient of input 0) on [2] produced NaN or Inf");
    } finally {
      rg.detectAnomaly(false);
    }
  });

  test('costs nothing when off', () => {
    const before = rg.memory().dispatches;
    rg.exp(rg.tensor([1]));
    expect(rg.memory().dispatches - before).toBe(1);
  });
});

describe('no leaks over long runs', () => {
  test('MLP: 2,000 steps; GPT: 300 steps; live tensors, bytes and pool flat after the first steps', async () => {
    const report: Record<string, unknown> = {};
    const ds = rg.loadDataset('digits');
    const { train } = rg.trainTestSplit(ds, 0.2, 0);
    const tr = rg.standardize(train, rg.fitStandardizer(train));
    rg.manualSeed(0);
    const mlp = rg.mlp([64, 32, 10]);
    const opt = new rg.Adam(mlp.parameters(), { lr: 1e-3 });
    const gen = new rg.Generator(0);
    let at100: ReturnType<typeof rg.memory> | null = null;
    let c100: ReturnType<typeof accounted> | null = null;
    for (let s = 1; s <= 2000; s++) {
      const idx = Array.from({ length: 16 }, () => gen.int(tr.n));
      const { x, y } = rg.gatherRows(tr, idx);
      const xt = rg.tensor(x, [16, 64]);
      const yt = rg.tensor(y, [16], { dtype: 'i32' });
      const l = rg.keep(rg.tidy(() => {
        const loss = rg.rootedLoss(mlp.forward(xt), yt);
        loss.backward();
        opt.clipGradNorm(5);
        opt.step();
        opt.zeroGrad();
        return loss.detach();
      }));
      if (s % 500 === 0) await l.item();
      for (const t of [l, xt, yt]) t.dispose();
      if (s === 100) {
        await collectGarbage(); // what earlier tests dropped is freed now, not while we measure
        [at100, c100] = [rg.memory(), accounted()];
      }
    }
    await rg.tensor([0]).data();
    await collectGarbage();
    const at2000 = rg.memory();
    report.mlp = { step100: at100, step2000: at2000 };
    expect(accounted().tensors).toBe(c100!.tensors + 1); // + the sync tensor above
    expect(accounted().bytes).toBe(c100!.bytes + 4);
    // garbage that earlier tests dropped may reach the pool through the finalizer meanwhile: each such tensor
    // adds at most its size class (25% over its bytes, at least 256); nothing of this loop may
    const late = { tensors: at2000.finalizedTensors - at100!.finalizedTensors, bytes: at2000.finalizedBytes - at100!.finalizedBytes };
    expect(at2000.pooledBytes).toBeLessThanOrEqual(at100!.pooledBytes + 256 + 1.25 * late.bytes + 256 * late.tensors);
    expect(at2000.buffersCreated - at100!.buffersCreated).toBeLessThanOrEqual(2);

    rg.manualSeed(1);
    const gpt = new rg.GPT({ kind: 'gpt', vocab: 7, context: 8, dim: 16, heads: 2, layers: 1 });
    const gopt = new rg.AdamW(gpt.parameters(), { lr: 1e-3 });
    let g100: ReturnType<typeof rg.memory> | null = null;
    let cg100: ReturnType<typeof accounted> | null = null;
    for (let s = 1; s <= 300; s++) {
      const ids = rg.tensor(Array.from({ length: 32 }, (_, i) => (i * 3 + s) % 7), [4, 8], { dtype: 'i32' });
      const tg = rg.tensor(Array.from({ length: 32 }, (_, i) => (i * 3 + s + 1) % 7), [32], { dtype: 'i32' });
      rg.tidy(() => {
        const loss = rg.crossEntropy(rg.reshape(gpt.forward(ids), [-1, 7]), tg);
        loss.backward();
        gopt.step();
        gopt.zeroGrad();
      });
      ids.dispose();
      tg.dispose();
      if (s === 100) {
        await rg.tensor([0]).data();
        [g100, cg100] = [rg.memory(), accounted()];
      }
    }
    await rg.tensor([0]).data();
    const g300 = rg.memory();
    report.gpt = { step100: g100, step300: g300 };
    expect(accounted().tensors).toBe(cg100!.tensors + 1);
    expect(accounted().bytes).toBe(cg100!.bytes + 4);
    expect(g300.buffersCreated - g100!.buffersCreated).toBeLessThanOrEqual(2);
    console.log(JSON.stringify(report));
  }, 300_000);

  test('the pool has a cap and frees buffers above it', async () => {
    const cap = rg.setPoolCap(64 * 1024);
    try {
      expect(rg.memory().pooledBytes).toBeLessThanOrEqual(64 * 1024); // trimmed at once
      const ts = Array.from({ length: 8 }, () => rg.zeros([8192])); // 32 KiB each
      for (const t of ts) t.dispose();
      expect(rg.memory().pooledBytes).toBeLessThanOrEqual(64 * 1024);
    } finally {
      rg.setPoolCap(cap);
    }
  });
});

test('fuzzed CSV text: a clean load or a clear error, never a crash or a hang', () => {
  const good = '1,2,0\n3,4,1\n5,6,0\n';
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.tuple(fc.nat(good.length - 1), fc.constantFrom(',', '\n', 'x', '.', '-', '9', '', ' ', 'e')), { maxLength: 5 }).map((muts) => {
      const chars = [...good];
      for (const [i, c] of muts) chars[i] = c;
      return chars.join('');
    })), (text) => {
      try {
        const d = rg.parseCsv(text);
        expect(d.x.length).toBe(d.n * d.features);
        expect(d.y.length).toBe(d.n);
        expect(Math.max(...d.y)).toBeLessThan(d.classes);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^csv: /);
      }
    }),
    { numRuns: 500, seed: tol.seed },
  );
});

describe('device loss', () => {
  test('pending work rejects with a clear error, and init() continues on a fresh device', async () => {
    const a = rg.randn([256, 256]);
    const b = rg.matmul(a, a);
    const pending = b.data();
    current().device.destroy();
    // The read fails after the device's lost promise settled (its message says so), and the device
    // layer's handler on that promise ran before the runtime's: init() sees the loss, no wait needed.
    await expect(pending).rejects.toThrow(/GPU device was lost|no device/);
    await rg.init();
    expect(() => rg.exp(a)).toThrow(/belongs to a GPU device that was lost/);
    const c = rg.matmul(rg.ones([2, 2]), rg.ones([2, 2]));
    expect(Array.from(await c.data())).toEqual([2, 2, 2, 2]);
  });
});
