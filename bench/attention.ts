// npm run bench:attention [-- --T 128,512 --iters 3]
// Fused attention (flash-style kernels) against the unfused composition matmul -> softmax -> matmul
// through autograd, forward + backward, [B=1, H=4, T, D=64], full and causal: median time and peak GPU
// memory allocated during the call. Writes bench/results/attention.{json,md}.
import * as rg from '../src/node.js';
import { arg, markdownTable, median, sync, writeResults } from './util.js';

const Ts = arg('T', '128,512').split(',').map(Number);
const iters = Number(arg('iters', '3'));
const info = await rg.init();
const [H, D] = [4, 64];

function unfused(q: rg.Tensor, k: rg.Tensor, v: rg.Tensor, causal: boolean, T: number): rg.Tensor {
  let s = rg.mul(rg.matmul(q, rg.transpose(k)), 1 / Math.sqrt(D));
  if (causal) {
    const mask = rg.tensor(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
    s = rg.add(s, mask);
  }
  return rg.matmul(rg.softmax(s, -1), v);
}

const rows: { T: number; causal: boolean; variant: string; ms: number; peakMiB: number }[] = [];
for (const T of Ts) {
  for (const causal of [false, true]) {
    rg.manualSeed(0);
    const [q, k, v] = [0, 1, 2].map(() => rg.randn([1, H, T, D], { requiresGrad: true }));
    const times: Record<string, number[]> = { fused: [], unfused: [] };
    const peaks: Record<string, number> = {};
    for (let i = 0; i < iters + 1; i++) {
      for (const variant of ['fused', 'unfused']) {
        rg.resetPeakBytes();
        const base = rg.memory().liveBytes;
        const t0 = performance.now();
        const loss = rg.tidy(() => {
          const o = variant === 'fused' ? rg.attention(q, k, v, { causal }) : unfused(q, k, v, causal, T);
          const l = rg.sum(o);
          l.backward();
          return l.detach();
        });
        await sync(q.grad!);
        const ms = performance.now() - t0;
        if (i > 0) times[variant].push(ms);
        peaks[variant] = (rg.memory().peakBytes - base) / 2 ** 20;
        loss.dispose();
        for (const t of [q, k, v]) t.zeroGrad();
      }
    }
    for (const variant of ['fused', 'unfused']) {
      rows.push({ T, causal, variant, ms: median(times[variant]), peakMiB: peaks[variant] });
      console.log(`T=${T} causal=${causal} ${variant}: ${median(times[variant]).toFixed(1)} ms, peak ${peaks[variant].toFixed(2)} MiB`);
    }
    for (const t of [q, k, v]) t.dispose();
  }
}
const table = rows
  .filter((r) => r.variant === 'fused')
  .map((f) => {
    const u = rows.find((r) => r.variant === 'unfused' && r.T === f.T && r.causal === f.causal)!;
    return [f.T, f.causal ? 'causal' : 'full', f.ms.toFixed(1), u.ms.toFixed(1), `${(u.ms / f.ms).toFixed(2)}x`, f.peakMiB.toFixed(2), u.peakMiB.toFixed(2)];
  });
writeResults(
  'attention',
  { adapter: info, H, D, iters, rows },
  `Attention forward + backward, [1, ${H}, T, ${D}], fused vs matmul-softmax-matmul through autograd, on ${info.description} (${info.architecture}); median of ${iters}, calls alternating. Peak: MiB allocated during the call.\n\n` +
    markdownTable(['T', 'mask', 'fused ms', 'unfused ms', 'speed-up', 'fused peak MiB', 'unfused peak MiB'], table),
);
rg.shutdown();
