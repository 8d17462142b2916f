// A training world driven by a list of actions (steps and changes of state between them), run eagerly and
// compiled from the same seed: a compiled step must give eager's bits, whatever changed between calls.
// Used by test/compile.test.ts (one regression per defect) and test/compile-differential.test.ts (random
// sequences).
import { rg } from './helpers.js';

export type Action =
  | { kind: 'step'; batch: number; ignored?: number; gpuLabels?: boolean; weights?: rg.DType }
  | { kind: 'freeze' | 'unfreeze'; param: number }
  | { kind: 'newOptimizer'; sgd: boolean; momentum?: number }
  | { kind: 'reassign'; layer: number }
  | { kind: 'loadStateDict' }
  | { kind: 'set'; field: 'lr' | 'weightDecay' | 'momentum' | 'nesterov' | 'betas' | 'eps'; value: number | boolean | [number, number] }
  | { kind: 'clip'; maxNorm: number }
  | { kind: 'dropout'; p: number }
  | { kind: 'train' | 'eval' };

export interface TwinResult {
  /** The bits of each step's loss, then of every parameter (the model's and those optimisers hold). */
  losses: number[][];
  params: number[][];
  stats: rg.CompileStats | null;
}

const bits = async (t: rg.Tensor) => Array.from(new Uint32Array((await t.data()).buffer));

/** Deterministic numbers in [-1, 1) (mulberry32), so that both twins see the same data. */
function numbers(seed: number, n: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

const FEATURES = 4;
const CLASSES = 3;

/** Runs the actions on a fresh world (a two-layer MLP with dropout, SGD without momentum), compiled or in
 * tidy; `fuse` compiles with elementwise fusion. */
export async function runTwin(actions: Action[], compiled: boolean, seed = 1, fuse = false): Promise<TwinResult> {
  rg.manualSeed(seed);
  const model = rg.mlp([FEATURES, 6, CLASSES], { dropout: 0.25 });
  const linears = model.layers.filter((l): l is rg.Linear => l instanceof rg.Linear);
  const drop = model.layers.find((l): l is rg.Dropout => l instanceof rg.Dropout)!;
  const optimizers: rg.Optimizer<any>[] = [new rg.SGD(model.parameters(), { lr: 0.1 })];
  const world = { opt: optimizers[0], maxNorm: 0 };
  const extra: rg.Tensor[] = [];
  // w: per-row weights of a small extra term, given as f32, i32 or bool (its dtype is part of the signature)
  const body = (x: rg.Tensor, y: rg.Tensor, w: rg.Tensor) => {
    const z = model.forward(x);
    const extra = rg.mean(rg.mul(rg.cast(w, 'f32'), rg.sum(z, -1)));
    const loss = rg.add(rg.crossEntropy(z, y, { ignoreIndex: -1 }), rg.mul(extra, 0.125));
    loss.backward();
    if (world.maxNorm > 0) world.opt.clipGradNorm(world.maxNorm);
    world.opt.step();
    model.zeroGrad();
    return loss;
  };
  // A host number fn's code reads (the clipping norm) is no state a plan can see: it goes in `key`.
  const step = compiled ? rg.compile(body, { key: () => world.maxNorm, fuse }) : (x: rg.Tensor, y: rg.Tensor, w: rg.Tensor) => rg.tidy(() => body(x, y, w));
  const losses: number[][] = [];
  let calls = 0;
  for (const a of actions) {
    if (a.kind === 'step') {
      const data = numbers(seed * 1000 + calls++, a.batch * (FEATURES + CLASSES));
      const x = rg.tensor(data.slice(0, a.batch * FEATURES), [a.batch, FEATURES]);
      const labels = Array.from({ length: a.batch }, (_, i) => (i < (a.ignored ?? 0) ? -1 : Math.floor((data[a.batch * FEATURES + i] + 1) * 1.5)));
      // GPU-made labels (no host copy): the argmax of one-hot rows
      const y = a.gpuLabels
        ? rg.noGrad(() => rg.argmax(rg.tensor(labels.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))), [a.batch, CLASSES]), -1))
        : rg.tensor(labels, [a.batch], { dtype: 'i32' });
      const w = rg.tensor(labels.map((l, i) => (a.weights === 'f32' ? 1 + i / 4 : (i + Math.abs(l)) % 2)), [a.batch], { dtype: a.weights ?? 'f32' });
      const l = step(x, y, w);
      losses.push(await bits(l));
      for (const t of [l, x, y, w]) t.dispose();
    } else if (a.kind === 'freeze' || a.kind === 'unfreeze') {
      model.parameters()[a.param % model.parameters().length].requiresGrad = a.kind === 'unfreeze';
    } else if (a.kind === 'newOptimizer') {
      // The old optimiser stays alive (its arena too): the parameters move into the new one's buffer.
      const params = model.parameters();
      world.opt = a.sgd ? new rg.SGD(params, { lr: 0.05, momentum: a.momentum ?? 0 }) : new rg.Adam(params, { lr: 0.01 });
      optimizers.push(world.opt);
    } else if (a.kind === 'reassign') {
      const l = linears[a.layer % linears.length];
      const w = rg.tensor(numbers(seed + 77 + extra.length, l.weight.size).map((v) => v / 2), l.weight.shape);
      extra.push(w);
      l.weight = w; // the optimisers keep the old tensor, which stays alive
    } else if (a.kind === 'loadStateDict') {
      const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: numbers(seed + 5, t.size).map((v) => v / 3) }]));
      model.loadStateDict(state);
    } else if (a.kind === 'set') {
      const g = world.opt.paramGroups[0] as Record<string, unknown>;
      if (a.field in g && (a.field !== 'nesterov' || (g.momentum as number) > 0) && (a.field !== 'momentum' || !g.nesterov || (a.value as number) > 0)) g[a.field] = a.value;
    } else if (a.kind === 'clip') world.maxNorm = a.maxNorm;
    else if (a.kind === 'dropout') (drop as { p: number }).p = a.p;
    else if (a.kind === 'train') model.train();
    else model.eval();
  }
  const all = new Set([...model.parameters(), ...optimizers.flatMap((o) => o.params)]);
  const params = await Promise.all([...all].map(bits));
  const stats = compiled ? (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).stats : null;
  if (compiled) (step as rg.CompiledFunction<rg.Tensor[], rg.Tensor>).reset();
  for (const o of optimizers) o.dispose();
  for (const t of [...all, ...extra]) t.dispose();
  return { losses, params, stats };
}
