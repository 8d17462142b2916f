// npm run bench:linear-loss [-- --sizes 1024x128x32000 --losses ce,rooted --iters 1 --warmup 0]
// Fused linear losses: forward + backward of loss(h W^T, y) (gradients to h and W) for sizes NxDxV, each
// strategy against the materialised path (the logits by matmul, then the fused softmax loss) in one run:
// median time, dispatches, and peak live bytes above what existed before the call (inputs and weights
// excluded; the gradients dH and dW included, as every path makes them). Writes
// bench/results/linear-loss.{json,md}.
import * as rg from '../src/node.js';
import { arg, markdownTable, median, sync, writeResults } from './util.js';

const sizes = arg('sizes', '1024x128x8192,1024x128x32000,1024x128x50257,1024x256x8192,1024x256x32000,1024x256x50257,4096x128x8192,4096x128x32000').split(',').map((s) => s.split('x').map(Number));
const losses = arg('losses', 'ce,rooted').split(',') as ('ce' | 'rooted')[];
const iters = Number(arg('iters', '1'));
// a warm-up call compiles the pipelines; without it (--warmup 0, to save a call at large sizes) the first
// size's times include the compilation
const warmup = Number(arg('warmup', '1'));
const info = await rg.init();
const PATHS = ['materialised', 'chunked', 'tiled'] as const;

const results: Record<string, unknown>[] = [];
const rows: (string | number)[][] = [];
for (const [N, D, V] of sizes) {
  rg.manualSeed(0);
  const h = rg.randn([N, D], { requiresGrad: true });
  const w = rg.randn([V, D], { std: 1 / Math.sqrt(D), requiresGrad: true });
  const y = rg.randint(0, V, [N]);
  const yHost = rg.tensor(Array.from(await y.data()), [N], { dtype: 'i32' }); // host labels: the mean's count on the host
  for (const loss of losses) {
    const row: Record<string, { ms: number; dispatches: number; peakMiB: number }> = {};
    for (const path of PATHS) {
      const call = () => {
        const opts = path === 'materialised' ? { fused: false } : { strategy: path };
        return loss === 'rooted' ? rg.linearRootedLoss(h, w, yHost, opts) : rg.linearCrossEntropy(h, w, yHost, opts);
      };
      const times: number[] = [];
      let dispatches = 0;
      let peak = 0;
      for (let i = 1 - warmup; i <= iters; i++) {
        rg.flush();
        await sync(h);
        const base = rg.memory().liveBytes;
        rg.resetPeakBytes();
        const d0 = rg.memory().dispatches;
        const t0 = performance.now();
        const L = call();
        L.backward();
        await sync(w.grad!);
        if (i > 0) times.push(performance.now() - t0);
        dispatches = rg.memory().dispatches - d0;
        peak = Math.max(peak, rg.memory().peakBytes - base);
        L.dispose();
        for (const p of [h, w]) {
          p.grad!.dispose();
          p.grad = null;
        }
      }
      row[path] = { ms: median(times), dispatches, peakMiB: peak / 2 ** 20 };
    }
    results.push({ N, D, V, loss, ...row });
    const m = row.materialised;
    rows.push([
      `${N}x${D}x${V}`, loss,
      ...PATHS.flatMap((p) => [row[p].ms.toFixed(0), row[p].dispatches, row[p].peakMiB.toFixed(1)]),
      ...(['chunked', 'tiled'] as const).flatMap((p) => [`${(row[p].ms / m.ms).toFixed(2)}x`, `${(m.peakMiB / row[p].peakMiB).toFixed(1)}x`]),
    ]);
    console.log(rows[rows.length - 1].join('  '));
  }
  for (const t of [h, w, y, yHost]) t.dispose();
}

// A GPT step (forward + backward) with the tied head fused into the loss, and with materialised logits.
const [gV, gT, gB, gD] = arg('gpt', '8192-64-16-128').split('-').map(Number);
const gptRows: (string | number)[][] = [];
const gptResults: Record<string, unknown>[] = [];
{
  rg.manualSeed(0);
  const model = new rg.GPT({ kind: 'gpt', vocab: gV, context: gT, dim: gD, heads: 4, layers: 2 });
  const ids = rg.randint(0, gV, [gB, gT]);
  const targets = rg.tensor(Array.from(await rg.randint(0, gV, [gB * gT]).data()), [gB * gT], { dtype: 'i32' });
  for (const fused of [false, true]) {
    const times: number[] = [];
    let peak = 0;
    for (let i = 1 - warmup; i <= iters; i++) {
      rg.flush();
      await sync(model.tokens.weight);
      const base = rg.memory().liveBytes;
      rg.resetPeakBytes();
      const t0 = performance.now();
      const L = model.loss(ids, targets, { loss: 'rooted', fused });
      L.backward();
      await sync(model.tokens.weight.grad!);
      if (i > 0) times.push(performance.now() - t0);
      peak = Math.max(peak, rg.memory().peakBytes - base);
      L.dispose();
      model.zeroGrad();
    }
    gptResults.push({ fused, ms: median(times), peakMiB: peak / 2 ** 20 });
    gptRows.push([fused ? 'fused head + loss (default)' : 'materialised logits', median(times).toFixed(0), (peak / 2 ** 20).toFixed(1)]);
  }
  model.dispose();
}

const header = ['N x D x V', 'loss', ...PATHS.flatMap((p) => [`${p} ms`, `${p} dispatches`, `${p} peak MiB`]), 'chunked time / mat.', 'chunked memory saving', 'tiled time / mat.', 'tiled memory saving'];
const md =
  `Fused linear losses, forward + backward (dH, dW), median of ${iters}${warmup ? ' after a warm-up' : " (no warm-up: the first size's times include compiling the pipelines)"}; peak: live bytes above the inputs during the call. ` +
  `Adapter: ${info.description || info.vendor}; default strategy here: ${rg.kernelVariant('linearLoss', 'any')}. Command: \`npm run bench:linear-loss -- --sizes ${sizes.map((s) => s.join('x')).join(',')} --losses ${losses.join(',')} --iters ${iters} --warmup ${warmup}\`.\n\n` +
  markdownTable(header, rows) +
  `\nOne GPT training step (2 blocks, width ${gD}, vocabulary ${gV}, batch ${gB} x ${gT} tokens, rooted loss, forward + backward): peak live bytes above the model.\n\n` +
  markdownTable(['GPT head', 'step ms', 'peak MiB'], gptRows);
writeResults('linear-loss', { adapter: info, iters, results, gpt: { vocab: gV, context: gT, batch: gB, dim: gD, results: gptResults } }, md);
rg.shutdown();
