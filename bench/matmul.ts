// npm run bench:matmul [-- --sizes 256,512,1024,2048 --iters 5]
// Square f32 matmul throughput on the current adapter. Writes bench/results/matmul.{json,md}.
import * as rg from '../src/node.js';
import { arg, markdownTable, timeMs, writeResults } from './util.js';

const sizes = arg('sizes', '256,512,1024,2048').split(',').map(Number);
const iters = Number(arg('iters', '5'));
const info = await rg.init();
rg.manualSeed(0);
const rows: { n: number; ms: number; gflops: number }[] = [];
for (const n of sizes) {
  const a = rg.randn([n, n]);
  const b = rg.randn([n, n]);
  const ms = await timeMs(() => rg.matmul(a, b), { warmup: 1, iters: n >= 2048 ? Math.min(iters, 3) : iters });
  const gflops = (2 * n ** 3) / (ms * 1e6);
  rows.push({ n, ms, gflops });
  console.log(`matmul ${n}x${n}: ${ms.toFixed(2)} ms, ${gflops.toFixed(2)} GFLOP/s`);
  a.dispose();
  b.dispose();
}
const md =
  `Square f32 matmul on ${info.description} (${info.architecture}), median of ${iters} runs\n\n` +
  markdownTable(['n', 'ms', 'GFLOP/s'], rows.map((r) => [r.n, r.ms.toFixed(2), r.gflops.toFixed(2)]));
writeResults('matmul', { adapter: info, rows }, md);
rg.shutdown();
