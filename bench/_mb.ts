import * as rg from '../src/node.js';
import { median, sync } from './util.js';
await rg.init();
rg.manualSeed(0);
const x = rg.randn([256, 64]);
const y = rg.tensor(Array.from({ length: 256 }, (_, i) => i % 10), [256], { dtype: 'i32' });
const W1 = rg.randn([256, 64], { requiresGrad: true, std: 0.1 }), b1 = rg.zeros([256], { requiresGrad: true });
const W2 = rg.randn([256, 256], { requiresGrad: true, std: 0.1 }), b2 = rg.zeros([256], { requiresGrad: true });
const W3 = rg.randn([10, 256], { requiresGrad: true, std: 0.1 }), b3 = rg.zeros([10], { requiresGrad: true });
const fused = () => rg.linear(rg.linear(rg.linear(x, W1, b1, 'relu'), W2, b2, 'relu'), W3, b3);
const unf = () => { const l = (h: rg.Tensor, W: rg.Tensor, b: rg.Tensor) => rg.add(rg.matmul(h, rg.transpose(W)), b); return l(rg.relu(l(rg.relu(l(x, W1, b1)), W2, b2)), W3, b3); };
const t: Record<string, number[]> = { fused: [], unfused: [] }; const d: Record<string, number> = {};
for (let i = 0; i < 12; i++) for (const [n, f] of [['fused', fused], ['unfused', unf]] as const) {
  const d0 = rg.memory().dispatches; const t0 = performance.now();
  rg.tidy(() => { const l = rg.crossEntropy(f(), y); l.backward(); });
  await sync(W1.grad!); if (i > 1) t[n].push(performance.now() - t0); d[n] = rg.memory().dispatches - d0;
  for (const p of [W1, b1, W2, b2, W3, b3]) p.zeroGrad();
}
console.log('fused', median(t.fused).toFixed(1), 'ms', d.fused, 'dispatches; unfused', median(t.unfused).toFixed(1), 'ms', d.unfused, 'dispatches');
