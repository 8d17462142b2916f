// The vocabulary ops' cost, and a user's model beside the built-in one:
// - host time (recording the op) and GPU time (submit to completion) of cat, slice and where on 1024x1024;
// - a training step (forward, backward, AdamW) of examples/nanogpt.ts beside the built-in GPT at the same
//   size (nanoGPT's explicit masked attention and its flash path through the fused attention op).
// Writes bench/results/vocabulary.{json,md}. Run: node scripts/run-ts.mjs bench/vocabulary.ts
import * as rg from '../src/node.js';
import { rt } from '../src/runtime.js';
import { NanoGPT } from '../examples/nanogpt.js';
import { markdownTable, median, sync, writeResults } from './util.js';

await rg.init();
rg.manualSeed(0);
const N = 1024;
const a = rg.randn([N, N]);
const b = rg.randn([N, N]);
const cond = rg.gt(a, 0);
await sync(cond);

/** Median host ms to record the op, and median ms from flushing to the result being ready. */
async function time(fn: () => rg.Tensor, iters = 9): Promise<{ host: number; gpu: number }> {
  const host: number[] = [];
  const gpu: number[] = [];
  for (let i = 0; i < iters + 2; i++) {
    await sync(a); // nothing pending
    const t0 = performance.now();
    const y = fn();
    const t1 = performance.now();
    rt().flush();
    await sync(y);
    const t2 = performance.now();
    y.dispose();
    if (i >= 2) {
      host.push(t1 - t0);
      gpu.push(t2 - t1);
    }
  }
  return { host: median(host), gpu: median(gpu) };
}

const ops: [string, () => rg.Tensor][] = [
  ['cat([a, b], 0) -> [2048, 1024]', () => rg.cat([a, b], 0)],
  ['cat([a, b], 1) -> [1024, 2048]', () => rg.cat([a, b], 1)],
  ['slice(a, 1, 128, 896) -> [1024, 768]', () => rg.slice(a, 1, 128, 896)],
  ['slice(a, 0, 0, undefined, 2) -> [512, 1024]', () => rg.slice(a, 0, 0, undefined, 2)],
  ['where(a > 0, a, b)', () => rg.where(cond, a, b)],
  ['add(a, b), for scale', () => rg.add(a, b)],
];
const opRows: (string | number)[][] = [];
const opJson: Record<string, { host: number; gpu: number }> = {};
for (const [name, fn] of ops) {
  const t = await time(fn);
  opJson[name] = t;
  opRows.push([name, t.host.toFixed(3), t.gpu.toFixed(2)]);
}

// Training steps at one size: vocab 32, context 32, width 64, 4 heads, 1 block, batch 16 (bench:compare's GPT).
const [V, T, D, H, L, B] = [32, 32, 64, 4, 1, 16];
const ids = rg.tensor(Array.from({ length: B * T }, (_, i) => (i * 7) % V), [B, T], { dtype: 'i32' });
const tg = rg.tensor(Array.from({ length: B * T }, (_, i) => (i * 7 + 1) % V), [B, T], { dtype: 'i32' });
async function stepMs(step: () => rg.Tensor, n = 8): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const l = step();
    await l.data();
    l.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  return median(times);
}
const builtIn = new rg.GPT({ kind: 'gpt', vocab: V, context: T, dim: D, heads: H, layers: L });
const optA = new rg.AdamW(builtIn.parameters(), { lr: 1e-3 });
const flatTg = rg.reshape(tg, [-1]);
const builtInMs = await stepMs(() => rg.tidy(() => {
  const loss = rg.crossEntropy(rg.reshape(builtIn.forward(ids), [-1, V]), flatTg);
  loss.backward();
  optA.step();
  optA.zeroGrad();
  return loss.detach();
}));
const nano = async (flash: boolean) => {
  rg.manualSeed(0);
  const m = new NanoGPT({ blockSize: T, vocabSize: V, nLayer: L, nHead: H, nEmbd: D, dropout: 0, bias: true, flash });
  const opt = m.configureOptimizers(0.1, 1e-3);
  const ms = await stepMs(() => rg.tidy(() => {
    const [, loss] = m.forward(ids, tg);
    loss!.backward();
    opt.step();
    opt.zeroGrad();
    return loss!.detach();
  }));
  const before = rg.memory().dispatches;
  rg.tidy(() => {
    const [, loss] = m.forward(ids, tg);
    loss!.backward();
    opt.step();
    opt.zeroGrad();
  });
  const dispatches = rg.memory().dispatches - before;
  opt.dispose();
  m.dispose();
  return { ms, dispatches };
};
const nanoMasked = await nano(false);
const nanoFlash = await nano(true);
const before = rg.memory().dispatches;
rg.tidy(() => {
  const loss = rg.crossEntropy(rg.reshape(builtIn.forward(ids), [-1, V]), flatTg);
  loss.backward();
  optA.step();
  optA.zeroGrad();
});
const builtInDispatches = rg.memory().dispatches - before;

const stepRows = [
  ['built-in GPT (fused attention, tanh GELU)', builtInMs.toFixed(1), builtInDispatches, '1.00x'],
  ['examples/nanogpt.ts, tril + maskedFill attention', nanoMasked.ms.toFixed(1), nanoMasked.dispatches, `${(nanoMasked.ms / builtInMs).toFixed(2)}x`],
  ['examples/nanogpt.ts, flash: fused attention op', nanoFlash.ms.toFixed(1), nanoFlash.dispatches, `${(nanoFlash.ms / builtInMs).toFixed(2)}x`],
];
const info = rg.adapterInfo();
const md =
  `Adapter: ${info.description || info.vendor}. Host: recording the op (median of 9); GPU: from flush to the result read back (median of 9).\n\n` +
  markdownTable(['op on 1024x1024 f32', 'host ms', 'GPU ms'], opRows) +
  `\nTraining step (forward, backward, AdamW; median of 8), vocab ${V}, context ${T}, width ${D}, ${H} heads, ${L} block, batch ${B}:\n\n` +
  markdownTable(['model', 'step ms', 'dispatches', 'time vs built-in'], stepRows);
writeResults('vocabulary', { adapter: info, ops: opJson, steps: { builtInMs, builtInDispatches, nanoMasked, nanoFlash } }, md);
rg.shutdown();
