// npm run bench:loss [-- --cases 256x10,4096x1000,1024x32000 --iters 5]
// Fused against unfused losses, forward + backward, on one adapter in one run: median time per call,
// dispatches per call, and peak bytes allocated during the call besides the inputs (the gradient itself,
// N x C x 4 bytes, included). Writes bench/results/loss.{json,md}.
import * as rg from '../src/node.js';
import { arg, markdownTable, median, sync, writeResults } from './util.js';

const cases = arg('cases', '256x10,4096x1000,1024x32000').split(',').map((c) => c.split('x').map(Number) as [number, number]);
const iters = Number(arg('iters', '5'));
const info = await rg.init();

type LossFn = (z: rg.Tensor, y: rg.Tensor, fused: boolean) => rg.Tensor;
const losses: [string, LossFn, boolean][] = [
  ['crossEntropy', (z, y, fused) => rg.crossEntropy(z, y, { fused }), false],
  ['focalLoss', (z, y, fused) => rg.focalLoss(z, y, { fused }), false],
  ['rootedLoss', (z, y, fused) => rg.rootedLoss(z, y, { fused }), false],
  ['rootedLogisticLoss', (z, y, fused) => rg.rootedLogisticLoss(z, y, { fused }), true],
];

interface Row { loss: string; N: number; C: number; fused: boolean; ms: number; dispatches: number; peakBytes: number }
const rows: Row[] = [];

/** One forward + backward call; returns ms, dispatches and peak extra bytes. */
async function call(fn: LossFn, z: rg.Tensor, y: rg.Tensor, fused: boolean) {
  const d0 = rg.memory().dispatches;
  rg.resetPeakBytes();
  const base = rg.memory().liveBytes;
  const t0 = performance.now();
  const loss = fn(z, y, fused);
  loss.backward();
  rg.flush();
  const dispatches = rg.memory().dispatches - d0;
  await sync(z.grad!);
  const ms = performance.now() - t0;
  const peakBytes = rg.memory().peakBytes - base;
  loss.dispose();
  z.zeroGrad();
  return { ms, dispatches, peakBytes };
}

for (const [N, C] of cases) {
  for (const [name, fn, binary] of losses) {
    rg.manualSeed(1);
    const n = binary ? N * C : N; // the binary loss gets as many logits as the multiclass ones, one per example
    const z = rg.randn(binary ? [n] : [N, C], { std: 3, requiresGrad: true });
    const y = rg.tensor(Array.from({ length: n }, (_, i) => (binary ? i % 2 : (i * 7919) % C)), [n], { dtype: 'i32' });
    // Fused and unfused calls alternate, so that both see the same machine load; the first of each compiles.
    const runs = { fused: [] as Awaited<ReturnType<typeof call>>[], unfused: [] as Awaited<ReturnType<typeof call>>[] };
    for (let i = 0; i < iters + 1; i++) {
      for (const fused of [true, false]) {
        const r = await call(fn, z, y, fused);
        if (i > 0) runs[fused ? 'fused' : 'unfused'].push(r);
      }
    }
    for (const fused of [true, false]) {
      const rs = runs[fused ? 'fused' : 'unfused'];
      const row: Row = { loss: name, N: binary ? N * C : N, C: binary ? 1 : C, fused, ms: median(rs.map((r) => r.ms)), dispatches: rs[0].dispatches, peakBytes: rs[0].peakBytes };
      rows.push(row);
      console.log(`${name} N=${N} C=${C} fused=${fused}: ${row.ms.toFixed(2)} ms, ${row.dispatches} dispatches, ${(row.peakBytes / 2 ** 20).toFixed(2)} MiB`);
    }
    z.dispose();
    y.dispose();
  }
}

const mib = (b: number) => (b / 2 ** 20).toFixed(2);
const table = rows
  .filter((r) => r.fused)
  .map((f) => {
    const u = rows.find((r) => !r.fused && r.loss === f.loss && r.N === f.N && r.C === f.C)!;
    const shape = f.C === 1 ? `${f.N}` : `${f.N}x${f.C}`;
    return [f.loss, shape, f.ms.toFixed(2), u.ms.toFixed(2), `${(u.ms / f.ms).toFixed(2)}x`, f.dispatches, u.dispatches, mib(f.peakBytes), mib(u.peakBytes)];
  });
const md =
  `Losses, forward + backward, fused vs unfused, on ${info.description} (${info.architecture}); median of ${iters} calls each after one warm-up, fused and unfused calls alternating.\n` +
  `Binary rows (rootedLogisticLoss) use N x C logits, one per example. Peak MiB: allocated during the call besides the inputs, gradient included.\n\n` +
  markdownTable(['loss', 'N x C', 'fused ms', 'unfused ms', 'speed-up', 'fused dispatches', 'unfused dispatches', 'fused peak MiB', 'unfused peak MiB'], table);
writeResults('loss', { adapter: info, iters, rows }, md);
rg.shutdown();
