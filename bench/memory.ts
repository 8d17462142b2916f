// Graph ownership and host cost, the figures behind issue 14:
// - live bytes over 1,000 forward passes with trainable weights, outputs disposed, no backward, no tidy;
// - live bytes over 300 steps that drop their tensors without dispose (with global.gc(): run under
//   `node --expose-gc scripts/run-ts.mjs bench/memory.ts`);
// - host microseconds to record one tiny elementwise op (steady state, no readback in the loop).
// Writes bench/results/memory.{json,md}.
import * as rg from '../src/node.js';
import { markdownTable, sync, writeResults } from './util.js';

await rg.init();
rg.manualSeed(0);
const gc = (globalThis as { gc?: () => void }).gc;
const w = rg.randn([64, 256], { requiresGrad: true });
const x = rg.randn([128, 64]);
const live = () => rg.memory().liveBytes;

// 1. Forward passes, every tensor disposed by hand, no backward, no tidy.
const disposedAt: number[] = [];
for (let i = 1; i <= 1000; i++) {
  const y = rg.matmul(x, w);
  const r = rg.relu(y);
  const s = rg.sum(r);
  s.dispose();
  r.dispose();
  y.dispose();
  if (i === 50 || i === 300 || i === 1000) disposedAt.push(live());
}
await sync(w);

// 2. Steps that drop their tensors (never disposed), collected by the garbage collector.
const droppedAt: number[] = [];
for (let i = 1; i <= 300; i++) {
  rg.sum(rg.relu(rg.matmul(x, w)));
  if (i % 50 === 0) {
    await sync(w);
    // Finalizers run between tasks; a dropped graph of depth d is freed over d collections (each freed
    // node lets go of its inputs).
    for (let k = 0; gc && k < 6; k++) {
      gc();
      await new Promise((res) => setTimeout(res, 0));
    }
  }
  if (i === 50 || i === 300) droppedAt.push(live());
}

// 3. Host cost of a tiny op: affine on 4 elements, recorded 5,000 times per run, 40 runs with a sync
// after each; the minimum and the 25th percentile (the machine's noise only ever adds).
const tiny = rg.randn([4]);
const tinyUs: number[] = [];
for (let rep = 0; rep < 40; rep++) {
  const t0 = performance.now();
  for (let i = 0; i < 5000; i++) rg.affine(tiny, 1.0001, 0).dispose();
  tinyUs.push(((performance.now() - t0) * 1000) / 5000);
  await sync(tiny);
}
tinyUs.sort((a, b) => a - b);

const kib = (b: number) => (b / 1024).toFixed(1);
const rows = [
  ['forward x1000, outputs disposed: live KiB after 50 / 300 / 1000', disposedAt.map(kib).join(' / ')],
  [`300 steps, tensors dropped${gc ? ', gc()' : ' (no --expose-gc: no gc() calls)'}: live KiB after 50 / 300`, droppedAt.map(kib).join(' / ')],
  ['host µs per tiny op (affine, 4 elements; min / p25 of 40 runs of 5,000)', `${tinyUs[0].toFixed(2)} / ${tinyUs[10].toFixed(2)}`],
];
writeResults('memory', { disposedAt, droppedAt, tinyUs, gc: !!gc }, markdownTable(['measure', 'value'], rows));
