// Training steps shared by bench:compare and bench:overhead: rootgrad's (eager or compiled) and jax-js's
// (under jit), for an MLP and a one-block GPT, timed the same way: steps + 1 calls, the first compiles.
import * as rg from '../src/node.js';
import { GPT } from '../models/gpt.js';
import { median } from './util.js';

/** Milliseconds of each of n + 1 calls; the first is the warm-up (pipeline compilation). */
export async function timeCalls(n: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= n; i++) {
    const t0 = performance.now();
    await call(i);
    times.push(performance.now() - t0);
  }
  return times;
}

/** The first call's time and the median of the rest. `skip` more calls after the first are left out of
 * the median (a compiled step's recorded calls). */
export async function timeSteps(steps: number, step: (s: number) => Promise<void>, skip = 0): Promise<{ first: number; ms: number }> {
  const times = await timeCalls(steps + skip, step);
  return { first: times[0], ms: median(times.slice(1 + skip)) };
}

/** Eager, compiled, or compiled with elementwise fusion. */
export type Mode = boolean | 'fuse';

export interface RgStepResult {
  first: number;
  ms: number;
  /** Median host time of the step's call alone (recording or replaying its dispatches), before the loss is
   * read back: the rest of `ms` is the submit, the GPU's work and the readback. */
  hostMs: number;
  dispatches: number;
  hitRate: number;
}

/** rootgrad: forward, backward and SGD (lr 0.01), loss read back; eager in a tidy scope, or compiled
 * (rg.compile, its recorded calls left out of the median). Dispatches and pool reuse counted. */
export async function rgTrain(model: rg.Module, lossOf: () => rg.Tensor, steps: number, compiled: Mode = false): Promise<RgStepResult> {
  const opt = new rg.SGD(model.parameters(), { lr: 0.01 });
  const body = () => {
    const l = lossOf();
    l.backward();
    opt.step();
    opt.zeroGrad();
    return l;
  };
  const step = compiled ? rg.compile(body, { fuse: compiled === 'fuse' }) : () => rg.tidy(() => body().detach());
  let dispatches = 0;
  let [hits0, miss0] = [0, 0];
  const skip = compiled ? 2 : 0;
  const host: number[] = [];
  const t = await timeSteps(
    steps,
    async (s) => {
      if (s === 1 + skip) [hits0, miss0] = [rg.memory().poolHits, rg.memory().poolMisses]; // steady state
      const d0 = rg.memory().dispatches;
      const t0 = performance.now();
      const loss = step();
      if (s > skip) host.push(performance.now() - t0);
      await loss.item();
      dispatches = rg.memory().dispatches - d0;
      loss.dispose();
    },
    skip,
  );
  const m = rg.memory();
  const hitRate = (m.poolHits - hits0) / Math.max(1, m.poolHits - hits0 + m.poolMisses - miss0);
  if (compiled) (step as rg.CompiledFunction<[], rg.Tensor>).reset();
  opt.dispose();
  model.dispose();
  return { ...t, hostMs: median(host), dispatches, hitRate };
}

/** An MLP `sizes` (ReLU between layers) on a fixed random batch, cross-entropy. */
export function rgMlpStep(sizes: number[], batch: number, steps: number, compiled: Mode = false): Promise<RgStepResult> {
  rg.manualSeed(0);
  const model = rg.mlp(sizes);
  const x = rg.randn([batch, sizes[0]]);
  const y = rg.tensor(Array.from({ length: batch }, (_, i) => i % sizes[sizes.length - 1]), [batch], { dtype: 'i32' });
  return rgTrain(model, () => rg.crossEntropy(model.forward(x), y), steps, compiled);
}

/** An MLP (seeded), its batch (labels cycling through the classes), SGD, and its training step: forward,
 * the loss, backward, the update; the loss returned. */
export function mlpStep(sizes: number[], batch: number): { step: () => rg.Tensor; dispose: () => void } {
  rg.manualSeed(0);
  const model = rg.mlp(sizes);
  const x = rg.randn([batch, sizes[0]]);
  const y = rg.tensor(Array.from({ length: batch }, (_, i) => i % sizes[sizes.length - 1]), [batch], { dtype: 'i32' });
  const opt = new rg.SGD(model.parameters(), { lr: 0.01 });
  const step = () => {
    const l = rg.crossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    opt.zeroGrad();
    return l;
  };
  return { step, dispose: () => [x, y, opt, model].forEach((t) => t.dispose()) };
}

/** An MLP's step eager, compiled and compiled with fusion, one model each (the same seed), timed in turn:
 * step i of every mode before step i + 1 of any, so that a machine whose speed drifts (a shared one) weighs
 * on all three alike and their ratios hold. Each call is timed to its loss's readback; the first three calls
 * of each (compile's recordings) are left out of the medians. */
export async function rgMlpModes(sizes: number[], batch: number, steps: number): Promise<Record<'eager' | 'compiled' | 'fuse', { ms: number; hostMs: number; dispatches: number }>> {
  const modes = (['eager', 'compiled', 'fuse'] as const).map((mode) => {
    const { step: body, dispose } = mlpStep(sizes, batch);
    const step = mode === 'eager' ? () => rg.tidy(() => body().detach()) : rg.compile(body, { fuse: mode === 'fuse' });
    return { mode, step, dispose, ms: [] as number[], host: [] as number[], dispatches: 0 };
  });
  for (let i = 0; i < steps + 3; i++) {
    for (const m of modes) {
      const d0 = rg.memory().dispatches;
      const t0 = performance.now();
      const loss = m.step();
      const t1 = performance.now();
      await loss.item();
      const t2 = performance.now();
      m.dispatches = rg.memory().dispatches - d0;
      loss.dispose();
      if (i >= 3) (m.ms.push(t2 - t0), m.host.push(t1 - t0));
    }
  }
  const out = Object.fromEntries(modes.map((m) => [m.mode, { ms: median(m.ms), hostMs: median(m.host), dispatches: m.dispatches }]));
  for (const m of modes) {
    if (m.mode !== 'eager') (m.step as rg.CompiledFunction<[], rg.Tensor>).reset();
    m.dispose();
  }
  return out as Record<'eager' | 'compiled' | 'fuse', { ms: number; hostMs: number; dispatches: number }>;
}

/** The one-block GPT of the comparisons: vocab, context, width, heads, batch. */
export interface GptShape {
  V: number;
  T: number;
  D: number;
  H: number;
  B: number;
}

export const gptData = ({ V, T, B }: GptShape) => {
  const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V);
  return { ids, targets: ids.map((t, i) => (t + i) % V) };
};

export function rgGptStep(g: GptShape, steps: number, compiled: Mode = false): Promise<RgStepResult> {
  rg.manualSeed(0);
  const model = new GPT({ kind: 'gpt', vocab: g.V, context: g.T, dim: g.D, heads: g.H, layers: 1 });
  const { ids: idList, targets } = gptData(g);
  const ids = rg.tensor(idList, [g.B, g.T], { dtype: 'i32' });
  const y = rg.tensor(targets, [g.B * g.T], { dtype: 'i32' });
  return rgTrain(model, () => rg.crossEntropy(rg.reshape(model.forward(ids), [g.B * g.T, g.V]), y), steps, compiled);
}

/** jax-js: loss and gradients under jit (valueAndGrad), the SGD update inside the same jitted step. */
export async function jaxTrain(jax: any, params: Record<string, any>, lossFn: (q: any, ...args: any[]) => any, args: any[], steps: number) {
  const { valueAndGrad, jit, tree } = jax;
  const step = jit((q: any, ...xs: any[]) => {
    const [loss, g] = valueAndGrad(lossFn)(tree.map((a: any) => a.ref, q), ...xs);
    return [loss, tree.map((a: any, b: any) => a.sub(b.mul(0.01)), q, g)];
  });
  let p = params;
  return timeSteps(steps, async () => {
    const [loss, next] = step(p, ...args.map((a) => a.ref));
    await loss.data();
    p = next;
  });
}

export async function jaxMlpStep(jax: any, sizes: number[], batch: number, steps: number) {
  const { numpy: np, nn } = jax;
  const p: Record<string, any> = {};
  for (let i = 0; i + 1 < sizes.length; i++) {
    p[`W${i}`] = np.ones([sizes[i], sizes[i + 1]]).mul(0.01);
    p[`b${i}`] = np.zeros([sizes[i + 1]]);
  }
  const layers = sizes.length - 1;
  const C = sizes[layers];
  const x = np.ones([batch, sizes[0]]);
  const y = nn.oneHot(np.array(Array.from({ length: batch }, (_, i) => i % C), { dtype: 'int32' }), C);
  const lossFn = (q: any, xx: any, yy: any) => {
    let h = xx;
    for (let i = 0; i < layers; i++) {
      h = np.matmul(h, q[`W${i}`]).add(q[`b${i}`]);
      if (i + 1 < layers) h = nn.relu(h);
    }
    return np.mean(np.sum(nn.logSoftmax(h, -1).mul(yy), -1)).mul(-1);
  };
  return jaxTrain(jax, p, lossFn, [x, y], steps);
}

export async function jaxGptStep(jax: any, g: GptShape, steps: number) {
  const { numpy: np, nn, random } = jax;
  const { V, T, D, H, B } = g;
  let key = random.key(0);
  const w = (shape: number[]) => {
    const [k1, k2] = random.split(key);
    key = k1;
    return random.normal(k2, shape).mul(0.02);
  };
  const p: Record<string, any> = { wte: w([V, D]), wpe: w([T, D]), g1: np.ones([D]), c1: np.zeros([D]), wq: w([D, D]), bq: np.zeros([D]), wk: w([D, D]), bk: np.zeros([D]), wv: w([D, D]), bv: np.zeros([D]), wo: w([D, D]), bo: np.zeros([D]), g2: np.ones([D]), c2: np.zeros([D]), w1: w([D, 4 * D]), b1: np.zeros([4 * D]), w2: w([4 * D, D]), b2: np.zeros([D]), gf: np.ones([D]), cf: np.zeros([D]) };
  const data = gptData(g);
  const ids = np.array(data.ids, { dtype: 'int32' }).reshape([B, T]);
  const y = nn.oneHot(np.array(data.targets, { dtype: 'int32' }), V);
  const causal = np.tril(np.ones([T, T])).greater(0.5);
  // jax-js arrays are consumed by the ops that take them: .ref keeps one for a second use.
  const ln = (x: any, gg: any, c: any) => nn.standardize(x, -1, { epsilon: 1e-5 }).mul(gg).add(c);
  const lin = (x: any, wt: any, b: any) => np.matmul(x, wt).add(b);
  const lossFn = (q: any, ii: any, yy: any) => {
    let x = np.take(q.wte.ref, ii, 0).add(q.wpe);
    const h = ln(x.ref, q.g1, q.c1);
    // attention by matmuls (nn.dotProductAttention goes through einsum, which needs Node 22's iterator helpers)
    const split = (t: any, perm: number[]) => np.transpose(t.reshape([B, T, H, D / H]), perm);
    const scores = np.matmul(split(lin(h.ref, q.wq, q.bq), [0, 2, 1, 3]), split(lin(h.ref, q.wk, q.bk), [0, 2, 3, 1])).mul(1 / Math.sqrt(D / H));
    const att = nn.softmax(np.where(causal.ref, scores, -1e9), -1);
    const o = np.transpose(np.matmul(att, split(lin(h, q.wv, q.bv), [0, 2, 1, 3])), [0, 2, 1, 3]);
    x = x.add(lin(o.reshape([B, T, D]), q.wo, q.bo));
    x = x.ref.add(lin(nn.gelu(lin(ln(x, q.g2, q.c2), q.w1, q.b1)), q.w2, q.b2));
    const logits = np.matmul(ln(x, q.gf, q.cf).reshape([B * T, D]), np.transpose(q.wte));
    return np.mean(np.sum(nn.logSoftmax(logits, -1).mul(yy), -1)).mul(-1);
  };
  return jaxTrain(jax, p, lossFn, [ids, y], steps);
}
