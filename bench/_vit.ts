import * as rg from '../src/node.js';
await rg.init();
const ds = rg.loadDataset('digits');
const { train, test } = rg.trainTestSplit(ds, 0.2, 0);
const st = rg.fitStandardizer(train);
const t0 = performance.now();
const cfg = { ...rg.defaultTrainConfig, loss: 'rooted' as const, epochs: Number(process.argv[2] ?? 10), batch: 64, lr: Number(process.argv[5] ?? 3e-3), seed: 0, warmup: 20 };
await rg.trainClassifier({ kind: 'vit', side: 8, patch: Number(process.argv[6] ?? 2), dim: Number(process.argv[3] ?? 32), heads: 2, layers: Number(process.argv[4] ?? 2), classes: 10 }, rg.standardize(train, st), rg.standardize(test, st), cfg, { onEpoch: (l) => console.log(l.epoch, l.trainLoss.toFixed(4), l.testAccuracy.toFixed(4), l.seconds.toFixed(1), ((performance.now()-t0)/1000).toFixed(1)) });
