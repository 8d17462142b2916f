// Compiled steps (src/compile.ts): the same bits as eager over whole training runs, recording again on a
// new shape or when a tensor a plan binds is freed, the memory a plan pins, and each refusal.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { rg, setup } from './helpers.js';
import { MLPClassifier } from '../models/mlp.js';
import { GPT } from '../models/gpt.js';
import { rt } from '../src/runtime.js';
import { collectGarbage } from './helpers.js';
import { runTwin, type Action } from './compile-twin.js';

beforeAll(setup);

const bits = async (t: rg.Tensor) => Array.from(new Uint32Array((await t.data()).buffer));

/** Runs `steps` training steps eagerly (each in tidy) or compiled, from the same seed; returns every loss's
 * bits and the final parameters' bits. */
async function train(compiled: boolean, steps: number, make: () => { model: rg.Module; opt: rg.Optimizer<any>; batch: (i: number) => rg.Tensor[]; loss: (...xs: rg.Tensor[]) => rg.Tensor }) {
  rg.manualSeed(7);
  const { model, opt, batch, loss } = make();
  const body = (...xs: rg.Tensor[]) => {
    const l = loss(...xs);
    l.backward();
    opt.step();
    opt.zeroGrad();
    return l;
  };
  const step = compiled ? rg.compile(body) : (...xs: rg.Tensor[]) => rg.tidy(() => body(...xs));
  const losses: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const xs = batch(i);
    const l = step(...xs);
    losses.push(await bits(l));
    l.dispose();
    xs.forEach((x) => x.dispose());
  }
  const params = await Promise.all(model.parameters().map(bits));
  const stats = compiled ? (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).stats : null;
  if (compiled) (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).reset();
  opt.dispose();
  model.dispose();
  return { losses, params, stats, steps: opt.steps };
}

function mlpProblem(optimizer: 'sgd' | 'adam', batchOf: (i: number) => number = () => 4) {
  return () => {
    const model = new MLPClassifier({ kind: 'mlp', inputs: 8, hidden: [8, 8], classes: 3, activation: 'relu', dropout: 0.2 });
    const opt = optimizer === 'sgd' ? new rg.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) : new rg.Adam(model.parameters(), { lr: 0.01 });
    const batch = (i: number) => {
      const n = batchOf(i);
      return [rg.randn([n, 8]), rg.tensor(Array.from({ length: n }, (_, j) => (i + j) % 3), [n], { dtype: 'i32' })];
    };
    return { model, opt, batch, loss: (x: rg.Tensor, y: rg.Tensor) => rg.crossEntropy(model.forward(x), y) };
  };
}

describe('compile: the same bits as eager', () => {
  test('an MLP with dropout over 10 steps, SGD with momentum and Adam (step counts and seeds advance as in eager)', async () => {
    for (const opt of ['sgd', 'adam'] as const) {
      const eager = await train(false, 10, mlpProblem(opt));
      const compiled = await train(true, 10, mlpProblem(opt));
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect(compiled.steps).toBe(10);
      expect(compiled.stats!.replays).toBeGreaterThanOrEqual(7);
    }
  });

  test('a one-block GPT over 10 AdamW steps, and the learning rate a schedule sets between steps', async () => {
    const make = () => {
      const model = new GPT({ kind: 'gpt', vocab: 11, context: 8, dim: 16, heads: 2, layers: 1 });
      const opt = new rg.AdamW(model.parameters(), { lr: 3e-3 });
      const batch = (i: number) => {
        const ids = Array.from({ length: 16 }, (_, j) => (j * 3 + i) % 11);
        return [rg.tensor(ids, [2, 8], { dtype: 'i32' }), rg.tensor(ids.map((t) => (t + 1) % 11), [16], { dtype: 'i32' })];
      };
      return {
        model,
        opt,
        batch: (i: number) => {
          opt.lr = 3e-3 * (1 - i / 20); // a decay, set outside the step as a schedule does
          return batch(i);
        },
        loss: (ids: rg.Tensor, y: rg.Tensor) => model.loss(ids, y),
      };
    };
    const eager = await train(false, 10, make);
    const compiled = await train(true, 10, make);
    expect(compiled.losses).toEqual(eager.losses);
    expect(compiled.params).toEqual(eager.params);
    expect(compiled.stats!.replays).toBeGreaterThanOrEqual(7);
    expect(compiled.stats!.dispatches).toBeGreaterThan(50);
  });

  test('a new input shape records again, and both shapes then replay with eager bits', async () => {
    const batchOf = (i: number) => (i % 2 ? 6 : 4);
    const eager = await train(false, 12, mlpProblem('adam', batchOf));
    const compiled = await train(true, 12, mlpProblem('adam', batchOf));
    expect(compiled.losses).toEqual(eager.losses);
    expect(compiled.params).toEqual(eager.params);
    expect(compiled.stats!.plans).toBe(2);
    expect(compiled.stats!.recordings).toBeGreaterThanOrEqual(4);
    expect(compiled.stats!.replays).toBe(12 - compiled.stats!.recordings);
  });
});

describe('compile: host data of the inputs', () => {
  test('labels whose count of ignored rows changes run that call eagerly; out-of-range labels throw the eager error', async () => {
    const run = async (compiled: boolean) => {
      rg.manualSeed(3);
      const w = rg.randn([5, 3], { requiresGrad: true });
      const opt = new rg.SGD([w], { lr: 0.5 });
      const body = (x: rg.Tensor, y: rg.Tensor) => {
        const l = rg.crossEntropy(rg.matmul(x, w), y, { ignoreIndex: -1 });
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l;
      };
      const step = compiled ? rg.compile(body) : (x: rg.Tensor, y: rg.Tensor) => rg.tidy(() => body(x, y));
      const x = rg.randn([4, 5]);
      const labels = [[0, 1, 2, 0], [1, 2, 0, 1], [2, 0, 1, 2], [0, 0, 1, 1], [1, -1, 2, 0], [2, 1, 0, 0]];
      const out = [];
      for (const ys of labels) {
        const y = rg.tensor(ys, [4], { dtype: 'i32' });
        const l = step(x, y);
        out.push(await bits(l));
        l.dispose();
        y.dispose();
      }
      const bad = rg.tensor([0, 1, 7, 0], [4], { dtype: 'i32' });
      expect(() => step(x, bad)).toThrow('crossEntropy: label 7 at position 2 is outside [0, 3)');
      const stats = compiled ? (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).stats : null;
      if (compiled) (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).reset();
      return { out, w: await bits(w), stats };
    };
    const eager = await run(false);
    const compiled = await run(true);
    expect(compiled.out).toEqual(eager.out);
    expect(compiled.w).toEqual(eager.w);
    expect(compiled.stats!.replays).toBe(2);
    expect(compiled.stats!.eagerCalls).toBe(2); // the call with an ignored label, and the bad one
  });
});

describe('compile: outputs, memory, invalidation', () => {
  test('returns fresh tensors in the structure fn returned; a plan pins its buffers until reset', async () => {
    const pinned0 = rg.memory().pinnedBytes;
    const w = rg.tensor([1, 2, 3, 4]);
    const f = rg.compile((x: rg.Tensor) => ({ y: rg.mul(x, w), z: rg.sum(x) }));
    const x = rg.tensor([1, 1, 2, 2]);
    const outs = [];
    for (let i = 0; i < 4; i++) outs.push(f(x));
    expect(f.stats.replays).toBe(2);
    expect(new Set(outs.map((o) => o.y)).size).toBe(4); // a fresh tensor each call
    outs[0].y.dispose();
    expect(Array.from(await outs[3].y.data())).toEqual([1, 2, 6, 8]);
    expect(await outs[3].z.item()).toBe(6);
    expect(outs[3].y.requiresGrad).toBe(false);
    expect(rg.memory().pinnedBytes).toBeGreaterThan(pinned0);
    f.reset();
    expect(rg.memory().pinnedBytes).toBe(pinned0);
    for (const o of outs) (o.y.dispose(), o.z.dispose());
    x.dispose();
    w.dispose();
  });

  test('freeing a tensor a plan binds from outside drops the plan: the next call records with the new tensor', async () => {
    let w = rg.tensor([1, 2, 3, 4]);
    const f = rg.compile((x: rg.Tensor) => rg.mul(x, w));
    const x = rg.tensor([1, 1, 1, 1]);
    for (let i = 0; i < 3; i++) f(x).dispose();
    expect(f.stats.replays).toBe(1);
    w.dispose();
    w = rg.tensor([5, 6, 7, 8]);
    const y = f(x);
    expect(Array.from(await y.data())).toEqual([5, 6, 7, 8]);
    expect(f.stats.recordings).toBe(3);
    f.reset();
    for (const t of [x, y, w]) t.dispose();
  });

  test('a plan holds the tensors it read weakly: one dropped without dispose() is collected, and the next call records with the new one', async () => {
    let w = rg.tensor([1, 2, 3, 4]);
    const f = rg.compile((x: rg.Tensor) => rg.mul(x, w));
    const x = rg.tensor([1, 1, 1, 1]);
    for (let i = 0; i < 3; i++) f(x).dispose();
    expect(f.stats.replays).toBe(1);
    w = rg.tensor([5, 6, 7, 8]); // the old one is dropped, not disposed
    await collectGarbage();
    const y = f(x);
    expect(Array.from(await y.data())).toEqual([5, 6, 7, 8]);
    f.reset();
    for (const t of [x, y, w]) t.dispose();
  });

  test('`key` makes host state part of the signature (a module switched to eval mode records anew)', async () => {
    rg.manualSeed(1);
    const model = new MLPClassifier({ kind: 'mlp', inputs: 4, hidden: [8], classes: 2, activation: 'relu', dropout: 0.5 });
    const f = rg.compile((x: rg.Tensor) => model.forward(x), { key: () => model.training });
    const x = rg.randn([3, 4]);
    for (let i = 0; i < 3; i++) f(x).dispose();
    model.eval();
    const compiled = [];
    for (let i = 0; i < 3; i++) compiled.push(await bits(f(x)));
    const eager = await bits(rg.noGrad(() => model.forward(x)));
    expect(compiled).toEqual([eager, eager, eager]);
    expect(f.stats.plans).toBe(2);
    f.reset();
    model.dispose();
    x.dispose();
  });
});

describe('compile: elementwise fusion', () => {
  test('unary, broadcasting binary and backward kernels fuse into generated kernels; values match float64 and eager', async () => {
    rg.manualSeed(5);
    const w = rg.randn([16], { requiresGrad: true });
    const b = rg.randn([16], { requiresGrad: true });
    const chain = (x: rg.Tensor) => rg.mul(rg.tanh(rg.add(rg.mul(x, w), b)), rg.sigmoid(rg.affine(x, 0.5, 0.1)));
    const step = (x: rg.Tensor) => {
      const y = chain(x);
      const l = rg.sum(y);
      l.backward();
      const grads = [w.grad!, b.grad!];
      w.grad = b.grad = null; // returned: the caller owns them
      return [y, ...grads];
    };
    const x = rg.randn([8, 16]);
    const eager = rg.tidy(() => step(x));
    const plain = rg.compile(step);
    const fused = rg.compile(step, { fuse: true });
    let outs: rg.Tensor[] = [];
    let plainOuts: rg.Tensor[] = [];
    for (let i = 0; i < 3; i++) {
      outs.forEach((t) => t.dispose());
      plainOuts.forEach((t) => t.dispose());
      outs = fused(x);
      plainOuts = plain(x);
    }
    expect(fused.stats.replays).toBe(1);
    expect(fused.stats.fusedAway).toBeGreaterThanOrEqual(4);
    expect(fused.stats.dispatches).toBe(plain.stats.dispatches - fused.stats.fusedAway);
    const ref = await rg.runReference(() => chain(x), new Map());
    const y = await outs[0].data();
    ref.ref!.data.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThan(1e-6 + 1e-5 * Math.abs(v)));
    for (let k = 0; k < 3; k++) {
      const [got, want] = [await outs[k].data(), await eager[k].data()];
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-6 + 1e-5 * Math.abs(v)));
    }
    for (const c of [fused, plain]) c.reset();
    for (const t of [...outs, ...plainOuts, ...eager, x, w, b]) t.dispose();
  });

  test('a sum that ends a chain takes the chain as its prologue: one kernel, the intermediates never stored', async () => {
    const chain = (a: rg.Tensor) => rg.sum(rg.mul(rg.sigmoid(rg.affine(a, 2, 1)), rg.tanh(a)), 1);
    const f = rg.compile(chain, { fuse: true });
    const x = rg.randn([37, 19]);
    const outs = [0, 1, 2].map(() => f(x));
    expect(f.stats.dispatches).toBe(1);
    expect(f.stats.fusedAway).toBe(4);
    const ref = await rg.runReference(() => chain(x), new Map());
    const y = await outs[2].data();
    ref.ref!.data.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThan(1e-5 + 1e-5 * Math.abs(v)));
    f.reset();
    for (const t of [...outs, x]) t.dispose();
  });

  test('ROOTGRAD_DEBUG=2 prints the generated kernel, which the pipeline cache keeps', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const prev = process.env.ROOTGRAD_DEBUG;
    process.env.ROOTGRAD_DEBUG = '2';
    try {
      const f = rg.compile((a: rg.Tensor) => rg.exp(rg.affine(a, 0.123, 4.56)), { fuse: true });
      const a = rg.tensor([1, 2, 3]);
      for (let i = 0; i < 3; i++) f(a).dispose();
      const printed = spy.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/rootgrad kernel fused_[0-9a-f]{8}\n\/\/ Generated by src\/fuse.ts \(compile\(\{ fuse: true \}\)\): 2 elementwise ops/);
      expect(printed).toContain('return a * x + b;');
      f.reset();
      a.dispose();
    } finally {
      if (prev === undefined) delete process.env.ROOTGRAD_DEBUG;
      else process.env.ROOTGRAD_DEBUG = prev;
      spy.mockRestore();
    }
  });
});

describe('compile: refusals', () => {
  const x = () => rg.tensor([1, 2, 3, 4]);

  test('a readback inside fn', async () => {
    const f = rg.compile((a: rg.Tensor) => {
      const s = rg.sum(a);
      void s.data();
      return s;
    });
    expect(() => f(x())).toThrow(/compile: fn read a value back from the GPU/);
  });

  test('host randomness: data that differs at every call', () => {
    const f = rg.compile((a: rg.Tensor) => rg.add(a, rg.tensor([Math.random()])));
    const a = x();
    f(a).dispose();
    f(a).dispose();
    expect(() => f(a)).toThrow(/compile: fn dispatched something else at each call .*uploaded other data/);
  });

  test('control flow on a host counter: a changed dispatch sequence', () => {
    let calls = 0;
    const f = rg.compile((a: rg.Tensor) => (calls++ % 2 ? rg.exp(a) : rg.relu(rg.neg(a))));
    const a = x();
    f(a).dispose();
    f(a).dispose();
    expect(() => f(a)).toThrow(/compile: fn dispatched something else at each call with the same input shapes \(\d+ commands/);
  });

  test('a gradient left on a parameter (no zeroGrad inside fn)', () => {
    const w = rg.tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
    const f = rg.compile((a: rg.Tensor) => {
      const l = rg.sum(rg.mul(a, w));
      l.backward();
      return l;
    });
    expect(() => {
      for (let i = 0; i < 3; i++) f(x()).dispose();
    }).toThrow(/compile: fn left 1 tensor\(s\) it made alive without returning them \(a parameter's .grad: call zeroGrad\(\) inside fn/);
    w.zeroGrad();
  });

  test('disposing a tensor made before fn', () => {
    const outside = [x(), x(), x()];
    let i = 0;
    const f = rg.compile((a: rg.Tensor) => {
      outside[i++].dispose();
      return rg.neg(a);
    });
    expect(() => f(x())).toThrow(/compile: fn disposed 1 tensor buffer\(s\) it did not make/);
  });

  test('inputs that require a gradient, non-tensor inputs, async functions, bad options, nesting', () => {
    const f = rg.compile((a: rg.Tensor) => rg.neg(a));
    const w = rg.tensor([1], undefined, { requiresGrad: true });
    expect(() => f(w)).toThrow(/compile: input 0 .* requires a gradient; a compiled step's inputs are data/);
    expect(() => (f as unknown as (n: number) => rg.Tensor)(3)).toThrow("compile: input 0 is number, not a Tensor (a compiled step takes tensors only; close over other values)");
    expect(() => rg.compile((async () => x()) as never)).toThrow(/compile: fn is an async function/);
    expect(() => rg.compile(() => x(), { jit: true } as never)).toThrow("compile: unknown option 'jit'; valid options: cacheSize, key, fuse");
    expect(() => rg.compile(() => x(), { fuse: 'yes' } as never)).toThrow('compile: fuse must be true or false, got yes');
    expect(() => rg.compile(() => x(), { cacheSize: 0 })).toThrow('compile: cacheSize must be a positive integer, got 0');
    const inner = rg.compile((a: rg.Tensor) => rg.neg(a));
    const outer = rg.compile((a: rg.Tensor) => inner(a));
    expect(() => outer(x())).toThrow('compile: a compiled function was called while another one records; compile the outer step only');
    expect(() => rg.compile(((a: rg.Tensor) => 3) as never as (a: rg.Tensor) => rg.Tensor)(x())).toThrow('compile: fn must return a Tensor, an array or object of Tensors, or nothing; it returned number');
  });
});

describe('compile: host state a plan was recorded with (compiled = eager, or eager)', () => {
  const steps = (n: number, batch = 5): Action[] => Array.from({ length: n }, () => ({ kind: 'step', batch }));
  /** Eager and compiled twins over the actions: the same loss and parameter bits, and the reason the
   * compiled one ran eagerly and recorded again. */
  const same = async (actions: Action[], reason: RegExp | null) => {
    const eager = await runTwin(actions, false);
    const compiled = await runTwin(actions, true);
    expect(compiled.losses).toEqual(eager.losses);
    expect(compiled.params).toEqual(eager.params);
    if (reason) {
      expect(compiled.stats!.eagerFallbacks).toBeGreaterThanOrEqual(1);
      expect(compiled.stats!.lastFallback).toMatch(reason);
    }
    expect(compiled.stats!.replays).toBeGreaterThanOrEqual(1);
    return compiled.stats!;
  };

  test('a second optimiser moves the parameters into its buffer while the first one still lives (#34.3)', async () => {
    await same([...steps(4), { kind: 'newOptimizer', sgd: true }, ...steps(4), { kind: 'newOptimizer', sgd: false }, ...steps(4)], /moved to another buffer/);
  });

  test("a module's parameter reassigned while the old tensor lives (#34.3)", async () => {
    await same([...steps(4), { kind: 'reassign', layer: 0 }, ...steps(4)], /Linear's weight changed from tensor #\d+ \[6, 4\] to tensor #\d+ \[6, 4\]/);
  });

  test('a parameter frozen after recording, then unfrozen (#34.4)', async () => {
    await same([...steps(4), { kind: 'freeze', param: 0 }, ...steps(4), { kind: 'unfreeze', param: 0 }, ...steps(4)], /requires a gradient now/);
  });

  test("SGD's momentum switched on after recording without it (#34.4)", async () => {
    await same([...steps(4), { kind: 'set', field: 'momentum', value: 0.9 }, ...steps(4)], /SGD momentum > 0 changed from false to true/);
  });

  test("train/eval without a `key`, and Dropout's p", async () => {
    await same([...steps(4), { kind: 'eval' }, ...steps(4), { kind: 'train' }, ...steps(4)], /Dropout's training changed from false to true/);
    await same([...steps(4), { kind: 'dropout', p: 0.5 }, ...steps(4)], /Dropout's p changed from 0.25 to 0.5/);
  });

  test('a kernel variant forced after recording records again with the kernels eager picks', async () => {
    const body = (x: rg.Tensor) => rg.softmax(x, -1);
    const f = rg.compile(body);
    const x = rg.randn([3, 200]);
    for (let i = 0; i < 3; i++) f(x).dispose();
    const other = rg.kernelVariant('softmax', 'long') === 'workgroup' ? 'thread' : 'workgroup';
    rg.setKernelVariant('softmax', other);
    try {
      const got = f(x);
      expect(f.stats.lastFallback).toMatch(/kernel variant softmax:long changed from (thread|workgroup) to (thread|workgroup)/);
      expect(await bits(got)).toEqual(await bits(rg.tidy(() => body(x))));
      got.dispose();
    } finally {
      rg.setKernelVariant('softmax', 'auto');
    }
    f.reset();
    x.dispose();
  });

  test('a replay bumps the versions of what it writes in place, so a stale saved tensor is refused as in eager', async () => {
    const w = rg.tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
    const opt = new rg.SGD([w], { lr: 0.1 });
    const f = rg.compile((x: rg.Tensor) => {
      const l = rg.sum(rg.mul(x, w));
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l;
    });
    const x = rg.tensor([1, 1, 1, 1]);
    for (let i = 0; i < 4; i++) f(x).dispose();
    const replays = f.stats.replays;
    expect(replays).toBeGreaterThanOrEqual(1);
    const saved = rg.sum(rg.mul(w, w)); // saves w
    f(x).dispose(); // a replay: updates w in place
    expect(f.stats.replays).toBe(replays + 1);
    expect(() => saved.backward()).toThrow(/was modified in place by SGD.step after the forward pass/);
    f.reset();
    opt.dispose();
    for (const t of [saved, x, w]) t.dispose();
  });

  test("labels whose ignored count changes while recording run eagerly (the README's promise), not refused (#35.7)", async () => {
    const stats = await same(
      [
        { kind: 'step', batch: 5, ignored: 1 },
        { kind: 'step', batch: 5, ignored: 2 },
        { kind: 'step', batch: 5, ignored: 0 },
        { kind: 'step', batch: 5, ignored: 3 },
        ...steps(4),
        { kind: 'step', batch: 5, ignored: 2 },
        ...steps(2),
      ],
      null,
    );
    expect(stats.eagerCalls).toBe(1); // the call with 2 ignored labels after the plan was made
  });

  test('a fused kernel binds no more storage buffers than the device allows; the step works (#35.7)', async () => {
    // Six products whose results alternate between two buffers, then a row sum: one run reading 9 buffers,
    // which the sum's generated kernel would bind with its output and params (11 > 10).
    const ws = Array.from({ length: 6 }, (_, i) => rg.full([37, 19], 1 + i / 8));
    const body = (x: rg.Tensor) => {
      let h = x;
      for (const w of ws) {
        const next = rg.mul(h, w);
        if (h !== x) h.dispose();
        h = next;
      }
      return rg.sum(h, 1);
    };
    const f = rg.compile(body, { fuse: true });
    const x = rg.randn([37, 19]);
    const want = await rg.tidy(() => body(x)).data();
    for (let i = 0; i < 4; i++) {
      const got = await f(x).data(); // a validation error would throw here
      got.forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThanOrEqual(1e-6 * Math.abs(want[j])));
    }
    expect(f.stats.fusedAway).toBeGreaterThan(0);
    f.reset();
    for (const t of [x, ...ws]) t.dispose();
  });
});

describe('compile: what a plan holds goes back', () => {
  test('the pending error checks stay bounded over replays without a readback', async () => {
    const f = rg.compile((x: rg.Tensor) => rg.neg(x));
    const x = rg.tensor([1, 2]);
    for (let i = 0; i < 600; i++) f(x).dispose();
    expect((rt() as unknown as { errorChecks: unknown[] }).errorChecks.length).toBeLessThanOrEqual(256);
    await x.data(); // the folded check still reports (nothing here) and empties the list
    expect((rt() as unknown as { errorChecks: unknown[] }).errorChecks.length).toBe(0);
    f.reset();
    x.dispose();
  });

  test('a replay and the readback of its loss go in one submit; a plan reset before the read still runs', async () => {
    rg.manualSeed(3);
    const w = rg.randn([4, 2], { requiresGrad: true });
    const x = rg.randn([3, 4]);
    const opt = new rg.SGD([w], { lr: 0.1 });
    const body = () => {
      const l = rg.sum(rg.matmul(x, w));
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l;
    };
    const f = rg.compile(body);
    for (let i = 0; i < 3; i++) f().dispose();
    expect(f.stats.plans).toBe(1);
    rt().flush(); // the calls before
    const s0 = rg.memory().submits;
    const replays0 = f.stats.replays;
    const l = f();
    await l.item();
    expect(f.stats.replays).toBe(replays0 + 1);
    expect(rg.memory().submits - s0).toBe(1); // the replay's commands and the staging copy together
    l.dispose();
    // a replay left in the batch binds the plan's params buffer: reset() must not destroy it under it
    const pending = f();
    f.reset();
    await expect(pending.item()).resolves.toBeTypeOf('number');
    pending.dispose();
    const after = await w.data();
    expect(Array.from(after).every(Number.isFinite)).toBe(true);
    opt.dispose();
    [w, x].forEach((t) => t.dispose());
  });

  test('a compiled function dropped without reset() gives its pinned buffers back', async () => {
    await collectGarbage(); // compiled functions earlier tests dropped give theirs back first
    const pinned0 = rg.memory().pinnedBytes;
    const listeners0 = rt().releaseListeners.size;
    const x = rg.tensor([1, 2, 3]);
    (() => {
      const f = rg.compile((a: rg.Tensor) => rg.exp(rg.neg(a)));
      for (let i = 0; i < 3; i++) f(x).dispose();
      expect(f.stats.plans).toBe(1);
    })();
    expect(rg.memory().pinnedBytes).toBeGreaterThan(pinned0);
    await collectGarbage();
    await new Promise((r) => setTimeout(r, 20));
    await collectGarbage();
    expect(rg.memory().pinnedBytes).toBeLessThanOrEqual(pinned0);
    expect(rt().releaseListeners.size).toBeLessThanOrEqual(listeners0);
    x.dispose();
  });

  test('trainClassifier gives the plans back when a hook throws', async () => {
    const ds = rg.loadDataset('breast-cancer');
    const { train, test } = rg.trainTestSplit(ds, 0.2, 1);
    const pinned0 = rg.memory().pinnedBytes;
    let calls = 0;
    const run = rg.trainClassifier({ kind: 'mlp', inputs: 30, hidden: [8], classes: 2 }, train, test, { ...rg.defaultTrainConfig, epochs: 1, seed: 4 }, {
      onStep: () => {
        if (++calls === 4) throw new Error('stop here');
      },
    });
    await expect(run).rejects.toThrow('stop here');
    expect(rg.memory().pinnedBytes).toBe(pinned0);
  });
});
