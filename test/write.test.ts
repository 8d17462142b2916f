// Writes into existing tensors (writeInto, loadStateDict) for every dtype: the host copy of i32/bool values and
// the GPU data stay together; loadStateDict checks everything before writing anything; copies between
// tensors that share a buffer; staging buffers for readbacks are pooled, counted and freed.
import { beforeAll, describe, expect, test } from 'vitest';
import { rg, setup } from './helpers.js';

beforeAll(setup);

class Two extends rg.Module {
  constructor() {
    super();
    this.param('a', rg.tensor([1, 2, 3], [3]));
    this.param('b', rg.tensor([4, 5], [2]));
    this.buffer('ids', rg.tensor([0, 1], [2], { dtype: 'i32' }));
    this.buffer('mask', rg.tensor([true, false], [2]));
  }
  forward(x: rg.Tensor): rg.Tensor {
    return x;
  }
}

describe('one write path per dtype', () => {
  test('writeInto an i32 tensor: an embedding reads and back-propagates to the same row', async () => {
    const w = rg.tensor([0, 0, 1, 1, 2, 2, 3, 3], [4, 2], { requiresGrad: true });
    const idx = rg.tensor([0], [1], { dtype: 'i32' });
    rg.writeInto(idx, { shape: [1], data: [3] });
    expect([...(await idx.data())]).toEqual([3]);
    expect(idx.host && [...idx.host]).toEqual([3]);
    const y = rg.embedding(w, idx);
    expect([...(await y.data())]).toEqual([3, 3]);
    rg.sum(y).backward();
    expect([...(await w.grad!.data())]).toEqual([0, 0, 0, 0, 0, 0, 1, 1]); // before: the gradient went to row 0
  });

  test("writeInto an i32 tensor: cross-entropy's mean counts the new labels (ln 2, not the stale count)", async () => {
    const z = rg.zeros([2, 2]);
    const y = rg.tensor([0, -100], [2], { dtype: 'i32' });
    rg.writeInto(y, { shape: [2], data: [0, 1] });
    expect(await rg.crossEntropy(z, y).item()).toBeCloseTo(Math.LN2, 6);
    // through a view, and from a GPU tensor with a host copy
    rg.writeInto(y.detach(), rg.tensor([-100, -100], [2], { dtype: 'i32' }));
    expect(y.host && [...y.host]).toEqual([-100, -100]);
    expect(await rg.crossEntropy(z, y).item()).toBe(0); // every label ignored: 0 (documented)
    rg.writeInto(y.reshape([1, 2]), { shape: [1, 2], data: [1, -100] });
    expect(y.host && [...y.host]).toEqual([1, -100]);
    expect(await rg.crossEntropy(z, y).item()).toBeCloseTo(Math.LN2, 6);
  });

  test('writeInto an i32 tensor from a GPU-made tensor drops the host copy rather than keep a stale one', async () => {
    const y = rg.tensor([0, 1], [2], { dtype: 'i32' });
    const gpu = rg.argmax(rg.tensor([[0, 1], [1, 0]]), -1); // [1, 0], no host copy
    rg.writeInto(y, gpu);
    expect([...(await y.data())]).toEqual([1, 0]);
    if (y.host) expect([...y.host]).toEqual([1, 0]);
  });

  test('writeInto a bool tensor uploads 0/1 words, not float bits', async () => {
    const m = rg.tensor([true, false, false]);
    rg.writeInto(m, { shape: [3], data: [0, 1, 1] });
    expect([...(await m.data())]).toEqual([0, 1, 1]); // before: [0, 1065353216, 1065353216]
    expect(m.host && [...m.host]).toEqual([0, 1, 1]);
    rg.writeInto(m, { shape: [3], data: Float32Array.from([1, 0, 1]) });
    expect([...(await m.data())]).toEqual([1, 0, 1]);
    expect(() => rg.writeInto(m, { shape: [3], data: [0, 2, 1] })).toThrow('writeInto: bool values must be 0 or 1, got 2 at position 1');
    expect(() => rg.writeInto(rg.tensor([1], [1], { dtype: 'i32' }), { shape: [1], data: [1.5] })).toThrow('writeInto: i32 values must be integers in [-2^31, 2^31), got 1.5 at position 0');
    expect([...(await m.data())]).toEqual([1, 0, 1]); // a refused write writes nothing
  });

  test('loadStateDict writes i32 and bool buffers with their host copies', async () => {
    const m = new Two();
    m.loadStateDict({ a: { shape: [3], data: [7, 8, 9] }, b: { shape: [2], data: [1, 1] }, ids: { shape: [2], data: [1, 0] }, mask: { shape: [2], data: [0, 1] } });
    const s = m.stateDict();
    expect([...(await s.ids.data())]).toEqual([1, 0]);
    expect(s.ids.host && [...s.ids.host]).toEqual([1, 0]);
    expect([...(await s.mask.data())]).toEqual([0, 1]);
    m.dispose();
  });

  test('writeInto a tensor from itself (or a view of it) is a no-op, not a copy of a buffer onto itself', async () => {
    const t = rg.tensor([1, 2, 3], [3]);
    rg.writeInto(t, t.detach());
    rg.writeInto(t.reshape([3, 1]).reshape([3]), t);
    await rg.synchronize();
    expect([...(await t.data())]).toEqual([1, 2, 3]);
  });

  test('writeInto between two parameters that share an optimiser arena (one buffer)', async () => {
    const a = rg.tensor([1, 2, 3], [3], { requiresGrad: true });
    const b = rg.tensor([4, 5, 6], [3], { requiresGrad: true });
    const opt = new rg.SGD([a, b], { lr: 0.1 });
    rg.writeInto(a, b);
    expect([...(await a.data())]).toEqual([4, 5, 6]);
    expect([...(await b.data())]).toEqual([4, 5, 6]);
    opt.dispose();
  });
});

describe('loadStateDict is atomic', () => {
  const bad: [string, () => Record<string, rg.StateValue>, string][] = [
    ['a later entry with too few values', () => ({ b: { shape: [2], data: [1] } }), "loadStateDict: parameter 'b' has 1 values for a target of shape [2] (2 elements)"],
    ['a later entry of another dtype', () => ({ ids: rg.tensor([1, 0], [2]) }), "loadStateDict: buffer 'ids' is f32 in the state, i32 in the model"],
    ['a later entry that is not a tensor', () => ({ b: 3 as unknown as rg.StateValue }), "loadStateDict: parameter 'b' must be a Tensor or { shape, data }, got number"],
    ['a later bool entry with a value other than 0/1', () => ({ mask: { shape: [2], data: [1, 7] } }), "loadStateDict: buffer 'mask': bool values must be 0 or 1, got 7 at position 1"],
    ['a disposed tensor', () => {
      const t = rg.tensor([1, 1], [2]);
      t.dispose();
      return { b: t };
    }, "loadStateDict (parameter 'b'): tensor #"],
  ];
  for (const [what, patch, message] of bad) {
    test(`nothing is written when ${what} is refused`, async () => {
      const m = new Two();
      const good = { a: { shape: [3], data: [7, 8, 9] }, b: { shape: [2], data: [1, 1] }, ids: { shape: [2], data: [1, 0] }, mask: { shape: [2], data: [0, 1] } };
      let error: unknown = null;
      try {
        m.loadStateDict({ ...good, ...patch() });
      } catch (e) {
        error = e;
      }
      // the earlier entries ('a' first) are untouched: checked before the message, which names the bad entry
      const s = m.stateDict();
      expect([...(await s.a.data())], 'a').toEqual([1, 2, 3]);
      expect([...(await s.b.data())], 'b').toEqual([4, 5]);
      expect([...(await s.ids.data())], 'ids').toEqual([0, 1]);
      expect(s.ids.host && [...s.ids.host], 'the host copy of ids').toEqual([0, 1]);
      expect([...(await s.mask.data())], 'mask').toEqual([1, 0]);
      expect(String(error)).toContain(message);
      m.dispose();
    });
  }
});

describe('staging buffers', () => {
  test('concurrent readbacks leave a bounded pool of staging buffers, counted in memory() and freed by setPoolCap(0)', async () => {
    rg.setPoolCap(rg.setPoolCap(0)); // start from no idle staging buffer
    const ts = Array.from({ length: 12 }, (_, i) => rg.full([64 * 1024], i)); // 256 KiB each
    await Promise.all(ts.map((t) => t.data()));
    const m = rg.memory();
    expect(m.stagingBuffers).toBeGreaterThan(0);
    expect(m.stagingBuffers).toBeLessThanOrEqual(4); // at most 4 idle per size class
    expect(m.stagingBytes).toBe(m.stagingBuffers * 256 * 1024);
    const cap = rg.setPoolCap(0);
    expect(rg.memory().stagingBytes).toBe(0);
    expect(rg.memory().stagingBuffers).toBe(0);
    rg.setPoolCap(cap);
    expect([...(await ts[5].data()).slice(0, 2)]).toEqual([5, 5]); // reads still work, one staging buffer kept
    expect(rg.memory().stagingBuffers).toBe(1);
    for (const t of ts) t.dispose();
  });

  test('shutdown() destroys the idle staging buffers and the pool (a fresh init works)', async () => {
    const { rt } = await import('../src/runtime.js');
    const t = rg.full([1000], 2);
    await t.data();
    const r = rt();
    expect(r.stats.stagingBuffers).toBeGreaterThan(0);
    t.dispose();
    expect(r.stats.pooledBuffers).toBeGreaterThan(0);
    rg.shutdown();
    expect(r.stats.stagingBuffers).toBe(0);
    expect(r.stats.stagingBytes).toBe(0);
    expect(r.stats.pooledBytes).toBe(0);
    await rg.init();
    const u = rg.full([3], 1);
    expect([...(await u.data())]).toEqual([1, 1, 1]);
    expect(rt()).not.toBe(r);
  });
});
