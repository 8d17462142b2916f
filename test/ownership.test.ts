// Your own model, safely: graph ownership (dispose and the finalizer), in-place version checks, shared
// parameters, parameter groups, the general Module, and bad input.
import { beforeAll, describe, expect, test } from 'vitest';
import { accounted, collectGarbage, rg, setup } from './helpers.js';

beforeAll(setup);

const live = () => accounted().bytes;

describe('graph ownership', () => {
  test('1,000 forward passes with trainable weights, outputs disposed, no backward, no tidy: live bytes flat', async () => {
    const w = rg.randn([16, 32], { requiresGrad: true });
    const x = rg.randn([8, 16]);
    const at: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      const y = rg.matmul(x, w);
      const r = rg.relu(y);
      const s = rg.sum(r);
      for (const t of [s, r, y]) t.dispose();
      if (i === 10 || i === 1000) at.push(live());
    }
    await x.data();
    expect(at[1]).toBe(at[0]);
    for (const t of [w, x]) t.dispose();
  });

  test('300 steps that drop their tensors, with gc(): live bytes flat, freed by the finalizer', async () => {
    const w = rg.randn([32, 64], { requiresGrad: true });
    const x = rg.randn([16, 32]);
    const before = rg.memory().finalizedTensors;
    const step = () => {
      rg.sum(rg.relu(rg.matmul(x, w))); // nothing disposed, no tidy
    };
    for (let i = 0; i < 20; i++) step();
    await x.data();
    await collectGarbage();
    const first = rg.memory().liveBytes;
    for (let i = 0; i < 300; i++) step();
    await x.data();
    await collectGarbage();
    // <=: garbage that earlier tests left may be collected meanwhile too, never anything of ours kept
    expect(rg.memory().liveBytes).toBeLessThanOrEqual(first);
    expect(rg.memory().finalizedTensors - before).toBeGreaterThanOrEqual(3 * 300);
    for (const t of [w, x]) t.dispose();
  });

  test('a deep graph dropped after backward is freed at once, not one level per garbage collection', async () => {
    // Each op's node held its input tensor after backward had used it: a dropped chain of N ops was
    // then freed one level per garbage collection (the finalizer of one tensor let go of the next), and
    // went on being freed N collections later, under whatever ran then.
    const x = rg.tensor([0.5], [1], { requiresGrad: true });
    await collectGarbage();
    const before = rg.memory().finalizedTensors;
    (() => {
      let y = x;
      for (let i = 0; i < 200; i++) y = rg.affine(y, 1, 0.001);
      y.backward();
    })();
    await x.grad!.data();
    // A few collections, each followed by a turn of the event loop for the finalizers (they run in a task
    // of their own, which a due timer may precede): a chain freed one level per collection gets 5 of 200.
    for (let i = 0; i < 5; i++) {
      (globalThis as { gc: () => void }).gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(rg.memory().finalizedTensors - before).toBeGreaterThanOrEqual(200);
    x.zeroGrad();
    x.dispose();
  });

  test('dispose() of an output frees the graph only it kept; what another output reaches stays usable', async () => {
    const x = rg.tensor([0.5, -1, 2], [3], { requiresGrad: true });
    const base = live();
    const a = rg.exp(x);
    const b = rg.mul(a, a);
    const c = rg.sum(b);
    const d = rg.sum(a);
    const withGraph = live();
    c.dispose();
    b.dispose();
    a.dispose(); // d's graph still needs a's node (exp saved its output)
    expect(live()).toBeLessThan(withGraph);
    d.backward();
    const got = await x.grad!.data();
    [0.5, -1, 2].forEach((v, i) => expect(got[i]).toBeCloseTo(Math.exp(v), 5));
    d.dispose();
    x.zeroGrad();
    expect(live()).toBe(base);
    x.dispose();
  });

  test('a graph kept by a tensor returned from tidy survives, and is freed with it', async () => {
    const x = rg.tensor([1, 2], [2], { requiresGrad: true });
    const base = live();
    const out = rg.tidy(() => rg.sum(rg.tanh(rg.mul(x, x))));
    expect(live()).toBeGreaterThan(base + 4);
    out.dispose();
    expect(live()).toBe(base);
    x.dispose();
  });
});

describe('in-place safety', () => {
  test('backward after an optimiser step on a saved parameter throws, naming the op', () => {
    const w = rg.randn([3, 2], { requiresGrad: true });
    const x = rg.randn([4, 3]);
    const opt = new rg.SGD([w], { lr: 0.1 });
    const loss = rg.sum(rg.matmul(x, w));
    w.grad = rg.onesLike(w);
    opt.step();
    expect(() => loss.backward()).toThrow(/backward of 'matmul': a tensor it saved for backward \(saved tensor 1, shape \[3, 2\]\) was modified in place by SGD.step after the forward pass \(it is at version 1, it was saved at version 0\)/);
    for (const t of [loss, x, w]) t.dispose();
    w.zeroGrad();
    opt.dispose();
  });

  test('writeInto a saved tensor is caught too; a fresh forward pass works', async () => {
    const w = rg.tensor([1, 2], [2], { requiresGrad: true });
    const y = rg.sum(rg.mul(w, w));
    rg.writeInto(w, { shape: [2], data: [3, 4] });
    expect(() => y.backward()).toThrow(/modified in place by writeInto/);
    const y2 = rg.sum(rg.mul(w, w));
    y2.backward();
    expect([...(await w.grad!.data())]).toEqual([6, 8]);
    for (const t of [y, y2, w]) t.dispose();
    w.zeroGrad();
  });
});

class Tied extends rg.Module<[rg.Tensor], rg.Tensor> {
  emb = this.module('emb', new rg.Embedding(5, 3));
  head = this.module('head', new rg.Linear(3, 5, { bias: false }));
  constructor() {
    super();
    this.head.weight = this.emb.weight; // tie [5, 3] to [5, 3]
  }
  forward(ids: rg.Tensor): rg.Tensor {
    return this.head.forward(this.emb.forward(ids));
  }
}

describe('shared parameters', () => {
  test('tied weights: listed and counted once; one SGD step moves the shared tensor once', async () => {
    rg.manualSeed(3);
    const m = new Tied();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['emb.weight']);
    expect(m.numParameters()).toBe(15);
    expect(Object.keys(m.stateDict())).toEqual(['emb.weight', 'head.weight']); // as PyTorch's state_dict
    const w0 = await m.emb.weight.data();
    const ids = rg.tensor([0, 3], [2], { dtype: 'i32' });
    const loss = rg.sum(m.forward(ids));
    loss.backward();
    const g = await m.emb.weight.grad!.data();
    // Listing the tied tensor twice (as [...a.parameters(), ...b.parameters()] would) still steps it once.
    const opt = new rg.SGD([...m.emb.parameters(), ...m.head.parameters()], { lr: 0.5 });
    expect(opt.params.length).toBe(1);
    opt.step();
    const w1 = await m.head.weight.data();
    w0.forEach((v, i) => expect(w1[i]).toBeCloseTo(v - 0.5 * g[i], 6));
    for (const t of [loss, ids]) t.dispose();
    opt.dispose();
    m.dispose();
  });

  test('a parameter in two groups is refused', () => {
    const a = rg.zeros([2], { requiresGrad: true });
    expect(() => new rg.AdamW([{ params: [a] }, { params: [a], weightDecay: 0 }])).toThrow(/appears in parameter groups 0 and 1/);
    a.dispose();
  });
});

describe('parameter groups', () => {
  test('AdamW with decay / no-decay groups matches two single-group optimisers, bit for bit', async () => {
    const make = () => {
      rg.manualSeed(7);
      return rg.mlp([4, 6, 3]);
    };
    const x = rg.randn([5, 4]);
    const y = rg.tensor([0, 1, 2, 1, 0], [5], { dtype: 'i32' });
    const split = (m: rg.Sequential) => [m.parameters().filter((p) => p.ndim >= 2), m.parameters().filter((p) => p.ndim < 2)];
    const a = make();
    const [decayA, flatA] = split(a);
    const grouped = new rg.AdamW([{ params: decayA, weightDecay: 0.1 }, { params: flatA, weightDecay: 0, lr: 3e-3 }], { lr: 1e-2 });
    expect(grouped.packed).toBe(true);
    expect(grouped.paramGroups.map((g) => [g.lr, g.weightDecay])).toEqual([[1e-2, 0.1], [3e-3, 0]]);
    const b = make();
    const [decayB, flatB] = split(b);
    const o1 = new rg.AdamW(decayB, { lr: 1e-2, weightDecay: 0.1 });
    const o2 = new rg.AdamW(flatB, { lr: 3e-3, weightDecay: 0 });
    for (let s = 0; s < 3; s++) {
      for (const [m, opts] of [[a, [grouped]], [b, [o1, o2]]] as const) {
        const loss = rg.crossEntropy(m.forward(x), y);
        loss.backward();
        for (const o of opts) o.step();
        for (const o of opts) o.zeroGrad();
        loss.dispose();
      }
      grouped.paramGroups[1].lr *= 0.5; // a schedule drives one group's rate
      o2.lr *= 0.5;
    }
    const pa = a.parameters();
    const pb = b.parameters();
    for (let i = 0; i < pa.length; i++) expect([...(await pa[i].data())]).toEqual([...(await pb[i].data())]);
    const st = grouped.state();
    expect(st.groups!.map((g) => g.lr)).toEqual([1e-2, 3e-3 / 8]);
    for (const o of [grouped, o1, o2]) o.dispose();
    for (const t of [x, y]) t.dispose();
    a.dispose();
    b.dispose();
  });

  test('settings are checked when changed, naming the group', () => {
    const p = rg.zeros([2], { requiresGrad: true });
    const q = rg.zeros([2], { requiresGrad: true });
    const opt = new rg.SGD([{ params: [p] }, { params: [q], momentum: 0.9 }], { lr: 0.1 });
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow('SGD (parameter group 1): lr must be a non-negative finite number, got -1');
    expect(() => new rg.SGD([{ params: [p], lerningRate: 1 } as never], { lr: 0.1 })).toThrow("SGD: parameter group 0: unknown option 'lerningRate'");
    opt.dispose();
    for (const t of [p, q]) t.dispose();
  });

  test('clipGradNorm over any parameters scales every gradient on the GPU and returns the norm', async () => {
    const a = rg.tensor([3, 0], [2], { requiresGrad: true });
    const b = rg.tensor([4], [1], { requiresGrad: true });
    a.grad = rg.keep(rg.tensor([3, 0], [2]));
    b.grad = rg.keep(rg.tensor([4], [1]));
    const norm = rg.clipGradNorm([a, b, a], 1);
    expect(await norm.item()).toBeCloseTo(5, 5);
    expect([...(await a.grad!.data())].map((v) => +v.toFixed(5))).toEqual([0.6, 0]);
    expect(await b.grad!.item()).toBeCloseTo(0.8, 5);
    expect(() => rg.clipGradNorm([a], -1)).toThrow('clipGradNorm: maxNorm must be a positive finite number, got -1');
    for (const t of [norm, a, b]) {
      t.zeroGrad();
      t.dispose();
    }
  });
});

// nanoGPT's signature: forward(idx, targets?) -> [logits, loss].
class TinyLM extends rg.Module<[rg.Tensor, rg.Tensor?], [rg.Tensor, rg.Tensor | null]> {
  blocks = this.module('blocks', new rg.ModuleList([new rg.Linear(4, 4), new rg.Linear(4, 4)]));
  heads = this.module('heads', new rg.ModuleDict({ lm: new rg.Linear(4, 3) }));
  constructor() {
    super();
    this.buffer('steps', rg.zeros([1]));
  }
  forward(x: rg.Tensor, targets?: rg.Tensor): [rg.Tensor, rg.Tensor | null] {
    let h = x;
    for (const b of this.blocks) h = b.forward(h);
    const logits = this.heads.get('lm').forward(h);
    return [logits, targets ? rg.crossEntropy(logits, targets) : null];
  }
}

describe('a general Module', () => {
  test('any arguments and results, buffers, ModuleList, ModuleDict, modules(), apply()', async () => {
    const m = new TinyLM();
    const x = rg.randn([2, 4]);
    const [logits, none] = m.forward(x);
    expect(logits.shape).toEqual([2, 3]);
    expect(none).toBeNull();
    const t = rg.tensor([0, 2], [2], { dtype: 'i32' });
    const [, loss] = m.call(x, t);
    expect(loss!.shape).toEqual([]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias', 'heads.lm.weight', 'heads.lm.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['steps']);
    expect(Object.keys(m.stateDict())).toContain('steps');
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'blocks', 'blocks.0', 'blocks.1', 'heads', 'heads.lm']);
    expect(m.blocks.get(-1)).toBe(m.blocks.get(1));
    expect(() => m.blocks.get(2)).toThrow('ModuleList.get: index 2 is out of range for 2 modules');
    expect(() => m.heads.get('nope')).toThrow("ModuleDict.get: no module 'nope' (it has lm)");
    // apply: children first; custom initialisation by name
    const order: string[] = [];
    m.apply((mod, name) => {
      order.push(name);
      if (mod instanceof rg.Linear && name.startsWith('blocks')) rg.writeInto(mod.bias!, { shape: [4], data: [1, 1, 1, 1] });
    });
    expect(order.at(-1)).toBe('');
    expect([...(await m.blocks.get(0).bias!.data())]).toEqual([1, 1, 1, 1]);
    m.eval();
    expect(m.modules().every((mm) => !mm.training)).toBe(true);
    for (const u of [logits, loss!, x, t]) u.dispose();
    m.dispose();
  });

  test('loadStateDict strict (default) and { strict: false } with missing and unexpected names', async () => {
    const a = new TinyLM();
    const b = new TinyLM();
    const state = a.stateDict();
    const partial = { ...state, extra: rg.zeros([1]) } as Record<string, rg.Tensor>;
    delete partial['heads.lm.bias'];
    expect(() => b.loadStateDict(partial)).toThrow("loadStateDict: unexpected parameter 'extra'");
    const r = b.loadStateDict(partial, { strict: false });
    expect(r).toEqual({ missing: ['heads.lm.bias'], unexpected: ['extra'] });
    expect([...(await b.blocks.get(0).weight.data())]).toEqual([...(await a.blocks.get(0).weight.data())]);
    expect(() => b.loadStateDict({ steps: rg.zeros([2]) }, { strict: false })).toThrow("loadStateDict: buffer 'steps' has shape [2] in the state, [1] in the model");
    partial.extra.dispose();
    a.dispose();
    b.dispose();
  });

  test('registration errors', () => {
    class Bad extends rg.Module {
      constructor() {
        super();
        this.param('w', rg.zeros([1]));
        this.buffer('w', rg.zeros([1]));
      }
      forward(x: rg.Tensor) {
        return x;
      }
    }
    expect(() => new Bad()).toThrow("Bad.buffer: 'w' is already registered as a parameter");
    const lin = new rg.Linear(2, 2);
    expect(() => ((lin as unknown as { weight: unknown }).weight = 3)).toThrow("Linear.weight: expected a Tensor for parameter 'weight', got number");
    lin.dispose();
  });
});

describe('bad input', () => {
  test('writeInto checks shape, size and dtype', () => {
    const t = rg.zeros([2, 3]);
    expect(() => rg.writeInto(t, { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] })).toThrow('writeInto: values have shape [3, 2], the target [2, 3]');
    expect(() => rg.writeInto(t, { shape: [2, 3], data: [1, 2] })).toThrow('writeInto: 2 values for a target of shape [2, 3] (6 elements)');
    const u = rg.zeros([6]);
    expect(() => rg.writeInto(t, u)).toThrow('writeInto: source has shape [6], the target [2, 3]');
    for (const x of [t, u]) x.dispose();
  });

  test('noGrad and tidy refuse async functions', () => {
    expect(() => rg.noGrad(async () => 1)).toThrow(/noGrad: fn is an async function/);
    expect(() => rg.tidy(async () => 1)).toThrow(/tidy: fn is an async function/);
    expect(() => rg.noGrad(() => Promise.resolve(1))).toThrow(/noGrad: fn returned a Promise/);
  });

  test('requiresGrad on an i32 tensor is refused', () => {
    expect(() => rg.tensor([1, 2], [2], { dtype: 'i32', requiresGrad: true })).toThrow(/requiresGrad: only f32 tensors can require gradients, got i32 tensor #\d+ \[2\]/);
  });
});
