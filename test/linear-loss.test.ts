// Fused linear losses and row losses. After Cut Cross-Entropy's own protocol: odd shapes, peaked softmaxes
// (repeated weight rows, large logits), 20% ignored labels, every reduction; each fused strategy's error
// against float64 must be no worse than the materialised f32 path's (logits, then the fused loss) plus a
// little. Then determinism, memory, GPU-made labels, defineRowLoss's paths and the errors.
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';
import { smoothedRooted } from '../examples/smoothed-rooted-row-loss.js';

beforeAll(setup);

type Strategy = 'chunked' | 'tiled' | 'materialised';
const STRATEGIES: Strategy[] = ['chunked', 'tiled', 'materialised'];

/** A seeded problem: h [N, D], W [V, D] (with `repeat` rows repeated and scaled by `peak`), labels with ~20% ignored. */
function problem(N: number, D: number, V: number, seed: number, peak = 1, repeat = 0) {
  const g = new rg.Generator(seed);
  const h = Float64Array.from({ length: N * D }, () => Math.round(g.normal() * 1000) / 1000);
  const w = Float64Array.from({ length: V * D }, () => Math.round(g.normal() * peak * 300 / Math.sqrt(D)) / 1000);
  for (let r = 1; r < repeat; r++) w.copyWithin(r * D, 0, D); // rows 0..repeat-1 equal: ties among the top logits
  const b = Float64Array.from({ length: V }, () => Math.round(g.normal() * 100) / 1000);
  const y = Int32Array.from({ length: N }, () => (g.uniform() < 0.2 ? -100 : g.int(V)));
  return { N, D, V, h, w, b, y };
}

/** float64 loss and gradients (dH, dW, db) of the rooted loss (or cross-entropy when k is 0) for upstream
 * gradient gRow per row (the reduction's scale included). */
function reference64(p: ReturnType<typeof problem>, k: number, m: number, reduction: 'mean' | 'sum' | 'none', gNone: Float64Array) {
  const { N, D, V, h, w, b, y } = p;
  const valid = [...y].filter((v) => v !== -100).length;
  const rows = new Float64Array(N);
  const dh = new Float64Array(N * D), dw = new Float64Array(V * D), db = new Float64Array(V);
  const z = new Float64Array(V);
  for (let i = 0; i < N; i++) {
    if (y[i] === -100) continue;
    for (let v = 0; v < V; v++) {
      let s = b[v];
      for (let d = 0; d < D; d++) s += h[i * D + d] * w[v * D + d];
      z[v] = s;
    }
    const mx = Math.max(...z);
    let se = 0;
    for (let v = 0; v < V; v++) se += Math.exp(z[v] - mx);
    const lse = mx + Math.log(se);
    const lp = z[y[i]] - lse;
    rows[i] = k ? -m * Math.expm1(lp / k) : -lp;
    const coef = k ? (m / k) * Math.exp(lp / k) : 1; // -dL/dlogp
    const g = reduction === 'none' ? gNone[i] : reduction === 'mean' ? 1 / valid : 1;
    for (let v = 0; v < V; v++) {
      const dz = g * coef * (Math.exp(z[v] - lse) - (v === y[i] ? 1 : 0));
      db[v] += dz;
      for (let d = 0; d < D; d++) {
        dh[i * D + d] += dz * w[v * D + d];
        dw[v * D + d] += dz * h[i * D + d];
      }
    }
  }
  const total = rows.reduce((a, v) => a + v, 0);
  const loss = reduction === 'none' ? rows.reduce((a, v, i) => a + v * gNone[i], 0) : reduction === 'mean' ? total / valid : total;
  return { loss, dh, dw, db };
}

/** Runs one strategy on the GPU: the (weighted, for 'none') loss and the three gradients. */
async function run(p: ReturnType<typeof problem>, strategy: Strategy, k: number, reduction: 'mean' | 'sum' | 'none', gNone: Float64Array, chunkRows = 64) {
  const h = rg.tensor(Array.from(p.h), [p.N, p.D], { requiresGrad: true });
  const w = rg.tensor(Array.from(p.w), [p.V, p.D], { requiresGrad: true });
  const b = rg.tensor(Array.from(p.b), [p.V], { requiresGrad: true });
  const y = rg.tensor(Array.from(p.y), [p.N], { dtype: 'i32' });
  const opts = { bias: b, reduction, chunkRows, ...(strategy === 'materialised' ? { fused: false } : { strategy }) };
  let L = k ? rg.linearRootedLoss(h, w, y, { ...opts, k, m: 3 }) : rg.linearCrossEntropy(h, w, y, opts);
  if (reduction === 'none') L = rg.sum(rg.mul(L, rg.tensor(Array.from(gNone), [p.N])));
  L.backward();
  const out = { loss: await L.item(), dh: await h.grad!.data(), dw: await w.grad!.data(), db: await b.grad!.data() };
  for (const t of [h, w, b, y, L]) t.dispose();
  return out;
}

const relErr = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let e = 0, s = 0;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i] - want[i]));
    s = Math.max(s, Math.abs(want[i]));
  }
  return e / (s || 1);
};

describe("Cut Cross-Entropy's protocol: each fused strategy is as accurate as the materialised path", () => {
  const cases = [
    { name: 'odd shapes 252 x 123, V 507', p: () => problem(252, 123, 507, 1) },
    { name: 'peaked softmax: repeated weight rows, logits x8', p: () => problem(130, 20, 300, 2, 8, 6) },
  ];
  for (const c of cases)
    for (const [loss, k] of [['ce', 0], ['rooted', 3]] as const)
      test(`${c.name}, ${loss}, every reduction`, async () => {
        const p = c.p();
        const gNone = Float64Array.from({ length: p.N }, (_, i) => ((i * 7) % 5) / 4 - 0.5);
        for (const reduction of ['mean', 'sum', 'none'] as const) {
          const ref = reference64(p, k, 3, reduction, gNone);
          const errs: Record<string, number[]> = {};
          for (const s of STRATEGIES) {
            const r = await run(p, s, k, reduction, gNone);
            errs[s] = [Math.abs(r.loss - ref.loss) / Math.max(1, Math.abs(ref.loss)), relErr(r.dh, ref.dh), relErr(r.dw, ref.dw), relErr(r.db, ref.db)];
          }
          for (const s of ['chunked', 'tiled'] as const)
            errs[s].forEach((e, j) => expect(e, `${reduction} ${s} ${['loss', 'dH', 'dW', 'db'][j]}: ${e.toExponential(2)} vs materialised ${errs.materialised[j].toExponential(2)}`).toBeLessThanOrEqual(errs.materialised[j] * 1.5 + 2e-6));
          for (const e of errs.materialised) expect(e).toBeLessThan(1e-4); // and the materialised path itself is right
        }
      }, 120_000);
});

test('same bits run to run, for both strategies (no atomics, fixed summation order)', async () => {
  const p = problem(200, 16, 130, 3);
  const g = new Float64Array(p.N);
  for (const s of ['chunked', 'tiled'] as const) {
    const a = await run(p, s, 3, 'mean', g);
    const b = await run(p, s, 3, 'mean', g);
    expect(b.loss).toBe(a.loss);
    expect(Array.from(b.dw)).toEqual(Array.from(a.dw));
    expect(Array.from(b.dh)).toEqual(Array.from(a.dh));
  }
});

test('the N x V logits are never allocated: peak memory far below the materialised path', async () => {
  const [N, D, V] = [1024, 32, 2048];
  rg.manualSeed(4);
  const h = rg.randn([N, D], { requiresGrad: true });
  const w = rg.randn([V, D], { std: 0.1, requiresGrad: true });
  const y = rg.randint(0, V, [N]);
  const peak: Record<string, number> = {};
  for (const s of STRATEGIES) {
    rg.flush();
    const base = rg.memory().liveBytes;
    rg.resetPeakBytes();
    const L = rg.linearRootedLoss(h, w, y, s === 'materialised' ? { fused: false } : { strategy: s });
    L.backward();
    await L.item();
    peak[s] = rg.memory().peakBytes - base;
    L.dispose();
    h.grad = null;
    w.grad = null;
  }
  const logits = N * V * 4;
  expect(peak.materialised).toBeGreaterThanOrEqual(2 * logits); // logits and their gradient
  for (const s of ['chunked', 'tiled'] as const) expect(peak[s], `${s}: ${peak[s]} bytes vs ${peak.materialised}`).toBeLessThan(peak.materialised / 4);
  for (const t of [h, w, y]) t.dispose();
});

test('GPU-made labels, [B, T, D] inputs and a tied embedding weight give the same loss and gradients', async () => {
  rg.manualSeed(5);
  const emb = new rg.Embedding(50, 8);
  const h = rg.randn([2, 7, 8]);
  const yHost = rg.tensor(Array.from({ length: 14 }, (_, i) => (i % 5 === 0 ? -100 : (i * 3) % 50)), [2, 7], { dtype: 'i32' });
  const yGpu = rg.cast(rg.tensor(Array.from({ length: 14 }, (_, i) => (i % 5 === 0 ? -100 : (i * 3) % 50)), [2, 7]), 'i32');
  const results: number[][] = [];
  for (const y of [yHost, yGpu]) {
    const L = rg.linearCrossEntropy(h, emb.weight, y);
    L.backward();
    results.push([await L.item(), ...(await emb.weight.grad!.data()).slice(0, 20)]);
    emb.weight.grad = null;
  }
  expect(results[1][0]).toBeCloseTo(results[0][0], 5);
  results[1].slice(1).forEach((v, i) => expect(v).toBeCloseTo(results[0][i + 1], 6));
  const none = rg.linearCrossEntropy(h, emb.weight, yHost, { reduction: 'none' });
  expect(none.shape).toEqual([2, 7]);
  const ref = rg.crossEntropy(rg.matmul(h, rg.transpose(emb.weight)), yHost, { reduction: 'none' });
  const [a, b] = [await none.data(), await ref.data()];
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
});

test('defineRowLoss: fused softmax, composition and both linear strategies agree with the reference', async () => {
  rg.manualSeed(6);
  const [N, D, V] = [70, 6, 40];
  const h = rg.randn([N, D]);
  const w = rg.randn([V, D]);
  const y = rg.randint(0, V, [N]);
  const logits = rg.matmul(h, rg.transpose(w));
  const values = await rg.referenceValues([logits, y]);
  const want = rg.withBackend('reference', () => smoothedRooted.loss(logits, y, { eps: 0.2 }), values).ref!.data[0];
  const got = [
    await smoothedRooted.loss(logits, y, { eps: 0.2 }).item(),
    await smoothedRooted.loss(logits, y, { eps: 0.2, fused: false }).item(),
    await smoothedRooted.linear(h, w, y, { eps: 0.2, strategy: 'chunked' }).item(),
    await smoothedRooted.linear(h, w, y, { eps: 0.2, strategy: 'tiled' }).item(),
  ];
  for (const v of got) expect(v).toBeCloseTo(want, 5);
  expect(rg.rowLossNames()).toContain('smoothedRooted');
  const rows = await rg.runAudit({ only: ['rowLoss', 'linearLoss'], cases: 2 });
  expect(rows.every((r) => r.pass), JSON.stringify(rows)).toBe(true);
  expect(() => smoothedRooted.loss(logits, y, { eps: 2 })).toThrow('smoothedRooted: needs k > 0, m > 0 and 0 <= eps < 1, got k=3, m=3, eps=2');
  expect(() => rg.defineRowLoss({ ...smoothedRooted, name: 'smoothedRooted', wgsl: 'fn row_loss(logp: f32) -> vec2<f32> { return vec2<f32>(); }', reference: () => 0, compose: (x) => x })).toThrow("a row loss named 'smoothedRooted' is already defined");
  expect(() => rg.defineRowLoss({ name: 'nope', wgsl: 'fn other() {}', reference: () => 0, compose: (x) => x })).toThrow('must define fn row_loss');
});

describe('bad input is refused with the op and the value named', () => {
  const h = () => rg.zeros([3, 4]);
  const w = () => rg.zeros([5, 4]);
  const y = (v: number[]) => rg.tensor(v, [v.length], { dtype: 'i32' });
  test.each([
    ['weight width', () => rg.linearCrossEntropy(h(), rg.zeros([5, 3]), y([0, 1, 2])), 'linearCrossEntropy: expects hidden states [N, D] and weight [V, D]'],
    ['label count', () => rg.linearRootedLoss(h(), w(), y([0, 1])), 'linearRootedLoss: labels must be [3] for hidden states [3, 4], got [2]'],
    ['label range', () => rg.linearFocalLoss(h(), w(), y([0, 5, 1])), 'linearFocalLoss: label 5 at position 1 is outside [0, 5)'],
    ['bias shape', () => rg.linearCrossEntropy(h(), w(), y([0, 1, 2]), { bias: rg.zeros([4]) }), 'linearCrossEntropy: bias must be [V] = [5], got [4]'],
    ['chunk rows', () => rg.linearCrossEntropy(h(), w(), y([0, 1, 2]), { chunkRows: 100 }), 'linearCrossEntropy: chunkRows must be a positive multiple of 64'],
    ['strategy', () => rg.linearCrossEntropy(h(), w(), y([0, 1, 2]), { strategy: 'fast' as 'tiled' }), "linearCrossEntropy: strategy must be 'auto', 'chunked' or 'tiled', got 'fast'"],
    ['k', () => rg.linearRootedLoss(h(), w(), y([0, 1, 2]), { k: 0 }), 'rootedLoss: k must be a positive finite number, got 0'],
  ])('%s', (_name, fn, message) => {
    expect(() => rg.tidy(fn)).toThrow(message);
  });
});

test("the GPT's head is fused with its loss by default: the same loss and gradients as materialised logits", async () => {
  rg.manualSeed(7);
  const model = new rg.GPT({ kind: 'gpt', vocab: 23, context: 8, dim: 16, heads: 2, layers: 1 });
  const ids = rg.randint(0, 23, [3, 8]);
  const targets = rg.randint(0, 23, [3, 8]);
  const out: number[][] = [];
  for (const loss of ['ce', 'focal', 'rooted'] as const) {
    for (const fused of [true, false]) {
      const L = model.loss(ids, targets, { loss, fused });
      L.backward();
      out.push([await L.item(), ...(await model.tokens.weight.grad!.data()).slice(0, 16)]);
      model.zeroGrad();
    }
    const [a, b] = out.splice(0, 2);
    a.forEach((v, i) => expect(v, `${loss} entry ${i}`).toBeCloseTo(b[i], 5));
  }
  model.dispose();
});
