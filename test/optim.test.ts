// Optimisers as torch.optim defines them (test/fixtures/optim.json, made once by scripts/fixtures/optim_fixture.py):
// per-parameter state and step counts, parameters that skip steps, learning-rate changes (0 included),
// dampening, parameter groups; state save/restore; views of parameters after an optimiser adopts them.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { accounted, expectClose, rg, setup } from './helpers.js';

beforeAll(setup);

interface Case {
  name: string;
  kind: 'sgd' | 'adam' | 'adamw';
  options: { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weight_decay?: number; betas?: [number, number]; eps?: number };
  groups: ({ params: number[] } & Case['options'])[] | null;
  after: number[][][];
  steps: number[][] | null;
}
const fixture = JSON.parse(readFileSync('test/fixtures/optim.json', 'utf8')) as {
  shapes: number[][];
  start: number[][];
  grads: (number[] | null)[][];
  lrFactor: number[];
  cases: Case[];
};

/** torch.optim's keyword names as rootgrad's. */
function settings(o: Partial<Case['options']>): Record<string, unknown> {
  const names: Record<string, string> = { weight_decay: 'weightDecay' };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [names[k] ?? k, v]));
}

function make(c: Case, ps: rg.Tensor[]): rg.Optimizer<any> {
  const defaults = settings(c.options) as any;
  const spec = c.groups ? c.groups.map(({ params, ...g }) => ({ params: params.map((i) => ps[i]), ...settings(g) })) : ps;
  return c.kind === 'sgd' ? new rg.SGD(spec as any, defaults) : c.kind === 'adam' ? new rg.Adam(spec as any, defaults) : new rg.AdamW(spec as any, defaults);
}

/** Runs steps [from, to) of the fixture's sequence on `opt`, checking every parameter after each. */
async function runSteps(c: Case, opt: rg.Optimizer<any>, ps: rg.Tensor[], from: number, to: number): Promise<void> {
  const base = c.groups ? c.groups.map((g) => g.lr ?? c.options.lr) : [c.options.lr];
  for (let k = from; k < to; k++) {
    opt.paramGroups.forEach((g, gi) => (g.lr = base[gi] * fixture.lrFactor[k]));
    ps.forEach((p, i) => {
      const g = fixture.grads[k][i];
      p.grad = g ? rg.keep(rg.tensor(g, fixture.shapes[i])) : null;
    });
    opt.step();
    opt.zeroGrad();
    for (let i = 0; i < ps.length; i++) expectClose(await ps[i].data(), c.after[k][i], { atol: 2e-6, rtol: 2e-5 }, `${c.name}: parameter ${i} after step ${k + 1}`);
    if (c.steps?.[k]) expect(opt.state().paramSteps, `${c.name}: step counts after step ${k + 1}`).toEqual(c.steps[k]);
  }
}

describe('torch.optim sequences (test/fixtures/optim.json)', () => {
  for (const c of fixture.cases) {
    test(c.name, async () => {
      const ps = fixture.start.map((v, i) => rg.tensor(v, fixture.shapes[i], { requiresGrad: true }));
      const opt = make(c, ps);
      await runSteps(c, opt, ps, 0, fixture.lrFactor.length);
      opt.dispose();
      for (const p of ps) p.dispose();
    });
  }

  for (const name of ['adam', 'sgd momentum dampening', 'adam groups']) {
    test(`${name}: state saved to the host after 3 steps and loaded into a new optimiser resumes the sequence`, async () => {
      const c = fixture.cases.find((x) => x.name === name)!;
      const ps = fixture.start.map((v, i) => rg.tensor(v, fixture.shapes[i], { requiresGrad: true }));
      const first = make(c, ps);
      await runSteps(c, first, ps, 0, 3);
      const st = first.state();
      const slots = await Promise.all(st.slots.map(async (s) => Object.fromEntries(await Promise.all(Object.entries(s).map(async ([k, t]) => [k, { shape: [...t.shape], data: await (t as rg.Tensor).data() }])))));
      const host = JSON.parse(JSON.stringify({ ...st, slots: [] })) as rg.OptimizerState;
      first.dispose();
      const second = make(c, ps);
      second.loadState({ ...host, slots });
      expect(second.state().paramSteps).toEqual(st.paramSteps);
      await runSteps(c, second, ps, 3, fixture.lrFactor.length);
      second.dispose();
      for (const p of ps) p.dispose();
    });
  }
});

describe('per-parameter state', () => {
  test('a training checkpoint keeps the per-parameter step counts', async () => {
    const { checkpointBytes, checkpointFrom } = await import('../src/train.js');
    const a = rg.tensor([1], [1], { requiresGrad: true });
    const b = rg.tensor([2], [1], { requiresGrad: true });
    const opt = new rg.Adam([a, b], { lr: 0.1 });
    for (let s = 0; s < 3; s++) {
      a.grad = rg.keep(rg.tensor([1], [1]));
      if (s === 2) b.grad = rg.keep(rg.tensor([1], [1]));
      opt.step();
      opt.zeroGrad();
    }
    const bytes = await checkpointBytes({ model: {}, optimizer: opt.state(), shuffler: [], global: [], history: [] });
    const back = checkpointFrom(bytes, 'test').checkpoint.optimizer;
    expect(back.paramSteps).toEqual([3, 1]);
    const other = new rg.Adam([a, b], { lr: 0.1 });
    other.loadState(back);
    expect(other.state().paramSteps).toEqual([3, 1]);
    opt.dispose();
    other.dispose();
  });


  test("Adam's bias correction uses each parameter's own step count (the issue's case: first gradient at step 3)", async () => {
    const a = rg.tensor([1], [1], { requiresGrad: true });
    const b = rg.tensor([1], [1], { requiresGrad: true });
    const opt = new rg.Adam([a, b], { lr: 0.1 });
    for (let s = 1; s <= 3; s++) {
      a.grad = rg.keep(rg.tensor([1], [1]));
      if (s === 3) b.grad = rg.keep(rg.tensor([1], [1]));
      opt.step();
      opt.zeroGrad();
    }
    expect(await b.item()).toBeCloseTo(0.9, 5); // PyTorch: 0.90000 (the step count was 3 for both: 0.93612)
    expect(opt.state().paramSteps).toEqual([3, 1]);
    expect(opt.steps).toBe(3);
  });

  test('a packed group whose parameters are at different step counts updates each with its own count', async () => {
    const a = rg.tensor([1, 2], [2], { requiresGrad: true });
    const b = rg.tensor([3], [1], { requiresGrad: true });
    const opt = new rg.Adam([a, b], { lr: 0.1 });
    a.grad = rg.keep(rg.tensor([1, -1], [2]));
    opt.step(); // b skipped: a at 1, b at 0
    opt.zeroGrad();
    a.grad = rg.keep(rg.tensor([1, -1], [2]));
    b.grad = rg.keep(rg.tensor([2], [1]));
    const d0 = rg.memory().dispatches;
    opt.step(); // a at 2, b at 1: one update each
    expect(rg.memory().dispatches - d0).toBe(2); // a packed group would be one
    expect(await b.item()).toBeCloseTo(2.9, 5); // its first step: 3 - lr
    opt.dispose();
  });

  test("a compiled step advances each parameter's own count as eager does (a parameter that never gets a gradient stays at 0)", async () => {
    const run = async (compiled: boolean) => {
      const w = rg.tensor([0.5, -0.25, 1, 2], [2, 2], { requiresGrad: true });
      const unused = rg.tensor([3], [1], { requiresGrad: true });
      const opt = new rg.Adam([w, unused], { lr: 0.05 });
      const body = (x: rg.Tensor) => {
        const l = rg.sum(rg.mul(rg.matmul(x, w), rg.matmul(x, w)));
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l;
      };
      const step = compiled ? rg.compile(body) : (x: rg.Tensor) => rg.tidy(() => body(x));
      for (let i = 0; i < 6; i++) {
        const x = rg.tensor([i, 1, -1, 0.5 * i], [2, 2]);
        step(x).dispose();
        x.dispose();
      }
      const out = { w: [...(await w.data())], unused: await unused.item(), counts: opt.state().paramSteps };
      if (compiled) (step as rg.CompiledFunction<[rg.Tensor], rg.Tensor>).reset();
      opt.dispose();
      return out;
    };
    const eager = await run(false);
    expect(eager.counts).toEqual([6, 0]);
    expect(eager.unused).toBe(3);
    expect(await run(true)).toEqual(eager);
  });

  test('SGD packs a group again once every parameter has started its momentum (its step count is not read)', async () => {
    const a = rg.tensor([1, 2], [2], { requiresGrad: true });
    const b = rg.tensor([3], [1], { requiresGrad: true });
    const opt = new rg.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      a.grad = rg.keep(rg.tensor([1, -1], [2]));
      if (s > 0) b.grad = rg.keep(rg.tensor([2], [1]));
      const d0 = rg.memory().dispatches;
      opt.step();
      counts.push(rg.memory().dispatches - d0);
      opt.zeroGrad();
    }
    expect(opt.state().paramSteps).toEqual([3, 2]);
    expect(counts[1]).toBe(2); // a's update and b's (its momentum starts now)
    expect(counts[2]).toBe(1); // one update for the group (no dispatch resets the clipping factor: it is stamped)
    expect(await b.item()).toBeCloseTo(3 - 0.1 * 2 - 0.1 * (0.9 * 2 + 2), 5);
    opt.dispose();
  });

  test('loadState checks every entry before writing any', async () => {
    const a = rg.tensor([1], [1], { requiresGrad: true });
    const b = rg.tensor([2, 3], [2], { requiresGrad: true });
    const opt = new rg.Adam([a, b], { lr: 0.1 });
    a.grad = rg.keep(rg.tensor([1], [1]));
    opt.step();
    const st = opt.state();
    const m0 = [...(await (st.slots[0].exp_avg as rg.Tensor).data())];
    const bad: rg.OptimizerState = { ...st, steps: 9, paramSteps: [9, 9], lr: 0.5, groups: [{ ...st.groups![0], lr: 0.5 }], slots: [{ exp_avg: { shape: [1], data: [7] } }, { exp_avg: { shape: [2], data: [1] } }] };
    expect(() => opt.loadState(bad)).toThrow('Adam.loadState: slot exp_avg of parameter 1 has 1 values for shape [2]');
    expect(() => opt.loadState({ ...st, groups: [{ ...st.groups![0], lr: -1 }] })).toThrow('Adam: lr must be a non-negative finite number, got -1');
    expect(opt.steps).toBe(1);
    expect(opt.state().paramSteps).toEqual([1, 0]);
    expect(opt.lr).toBe(0.1);
    expect([...(await (opt.state().slots[0].exp_avg as rg.Tensor).data())]).toEqual(m0);
    opt.dispose();
  });

  test('state() copies the group settings (betas is not shared with the optimiser)', () => {
    const p = rg.zeros([2], { requiresGrad: true });
    const opt = new rg.Adam([p], { lr: 0.1, betas: [0.9, 0.999] });
    const st = opt.state();
    (st.groups![0].betas as number[])[0] = 0.5;
    expect(opt.betas).toEqual([0.9, 0.999]);
    opt.paramGroups[0].betas[1] = 0.95;
    expect(st.groups![0].betas).toEqual([0.5, 0.999]);
    const other = new rg.Adam([p], { lr: 0.1 });
    other.loadState(st);
    (st.groups![0].betas as number[])[1] = 0.1;
    expect(other.betas).toEqual([0.5, 0.999]);
    opt.dispose();
    other.dispose();
  });
});

describe('learning rate 0', () => {
  test('SGD, Adam and AdamW accept lr 0: parameters do not move, the step count and moments do', async () => {
    for (const kind of ['sgd', 'adam', 'adamw'] as const) {
      const p = rg.tensor([1, -2], [2], { requiresGrad: true });
      const opt = kind === 'sgd' ? new rg.SGD([p], { lr: 0, momentum: 0.9, weightDecay: 0.1 }) : kind === 'adam' ? new rg.Adam([p], { lr: 0, weightDecay: 0.1 }) : new rg.AdamW([p], { lr: 0 });
      p.grad = rg.keep(rg.tensor([0.5, 0.5], [2]));
      opt.step();
      expect([...(await p.data())], kind).toEqual([1, -2]);
      expect(opt.state().paramSteps, kind).toEqual([1]);
      const moment = opt.state().slots[0][kind === 'sgd' ? 'momentum' : 'exp_avg'] as rg.Tensor;
      expectClose(await moment.data(), kind === 'sgd' ? [0.6, 0.3] : kind === 'adam' ? [0.06, 0.03] : [0.05, 0.05], { atol: 1e-7, rtol: 1e-6 }, `${kind} moment`);
      opt.lr = 0.5; // a warm-up from 0
      opt.step();
      expect((await p.data())[0], kind).not.toBe(1);
      opt.dispose();
    }
  });

  test('negative, NaN and infinite rates are still refused, at construction and at a step', () => {
    const p = rg.zeros([2], { requiresGrad: true });
    expect(() => new rg.SGD([p], { lr: -1 })).toThrow('SGD: lr must be a non-negative finite number, got -1');
    expect(() => new rg.Adam([p], { lr: NaN })).toThrow('Adam: lr must be a non-negative finite number, got NaN');
    expect(() => new rg.AdamW([p], { lr: Infinity })).toThrow('AdamW: lr must be a non-negative finite number, got Infinity');
    const opt = new rg.SGD([p], { lr: 0.1 });
    expect(() => (opt.lr = -0.5)).toThrow('SGD: lr must be a non-negative finite number, got -0.5');
    opt.paramGroups[0].lr = NaN;
    p.grad = rg.keep(rg.zeros([2]));
    expect(() => opt.step()).toThrow('SGD: lr must be a non-negative finite number, got NaN');
    opt.dispose();
  });

  test('a schedule may reach 0 and be set as the rate', async () => {
    const f = rg.cosineSchedule(0.1, { total: 10 });
    expect(f(10)).toBe(0);
    const p = rg.tensor([1], [1], { requiresGrad: true });
    const opt = new rg.Adam([p], { lr: 0.1 });
    opt.lr = f(10);
    p.grad = rg.keep(rg.tensor([1], [1]));
    opt.step();
    expect(await p.item()).toBe(1);
    opt.dispose();
  });
});

describe('dampening', () => {
  test('SGD checks dampening, and nesterov needs zero dampening (as PyTorch)', () => {
    const p = rg.zeros([2], { requiresGrad: true });
    expect(() => new rg.SGD([p], { lr: 0.1, momentum: 0.9, dampening: -0.1 })).toThrow('SGD: dampening must be in [0, 1], got -0.1');
    expect(() => new rg.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, dampening: 0.1 })).toThrow('SGD: nesterov needs momentum > 0 and dampening 0');
  });
});

describe('views of a parameter follow it once an optimiser adopts it (storage identity)', () => {
  test('reshape, flatten and detach taken before the optimiser see the updated values', async () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const w = rg.tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
      const r = w.reshape([4]);
      const f = w.flatten();
      const d = w.detach();
      const opt = kind === 'sgd' ? new rg.SGD([w], { lr: 1 }) : new rg.Adam([w], { lr: 1 });
      w.grad = rg.keep(rg.ones([2, 2]));
      opt.step();
      const want = [...(await w.data())];
      expectClose(want, [0, 1, 2, 3], { atol: 1e-5, rtol: 0 }, kind);
      for (const [name, v] of [['reshape', r], ['flatten', f], ['detach', d]] as const) expect([...(await v.data())], `${kind} ${name}`).toEqual(want);
      // and a second optimiser taking the parameter over
      const second = new rg.SGD([w], { lr: 1 });
      w.grad = rg.keep(rg.ones([2, 2]));
      second.step();
      const moved = [...(await w.data())];
      expectClose(moved, [-1, 0, 1, 2], { atol: 1e-5, rtol: 0 }, `${kind} after a second optimiser`);
      for (const [name, v] of [['reshape', r], ['detach', d]] as const) expect([...(await v.data())], `${kind} ${name} after a second optimiser`).toEqual(moved);
      opt.dispose();
      second.dispose();
      for (const t of [r, f, d, w]) t.dispose();
    }
  });

  test('a backward that saved the parameter before the optimiser adopted it still runs (moving is not a write)', async () => {
    const w = rg.tensor([1, 2], [2], { requiresGrad: true });
    const y = rg.sum(rg.mul(w, w));
    const opt = new rg.SGD([w], { lr: 0.5 });
    y.backward();
    expect([...(await w.grad!.data())]).toEqual([2, 4]);
    opt.step();
    expect([...(await w.data())]).toEqual([0, 0]);
    opt.dispose();
  });

  test('the first optimiser still steps a parameter a second one took over, and memory is accounted once', async () => {
    const before = accounted().bytes; // live bytes, with what the finalizer freed meanwhile added back
    const p = rg.tensor([1, 2], [2], { requiresGrad: true });
    const first = new rg.SGD([p], { lr: 1 });
    const second = new rg.SGD([p], { lr: 0.5 });
    p.grad = rg.keep(rg.ones([2]));
    first.step();
    second.step();
    expect([...(await p.data())]).toEqual([-0.5, 0.5]);
    p.zeroGrad();
    first.dispose();
    second.dispose();
    p.dispose();
    expect(accounted().bytes).toBe(before);
  });
});
