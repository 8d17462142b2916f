// npm run bench:attention [-- --T 128,512 --iters 3]
// The attention op's two variants, flash (fused kernels that never write the T x T scores) and scores
// (register-blocked matmuls around one masked softmax kernel), against the unfused composition matmul ->
// softmax -> matmul through autograd; forward + backward, [B=1, H=4, T, D=64], full and causal: median time
// and peak GPU memory allocated during the call. Writes bench/results/attention.{json,md}.
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
    const variants = ['flash', 'scores', 'unfused'] as const;
    const times: Record<string, number[]> = { flash: [], scores: [], unfused: [] };
    const peaks: Record<string, number> = {};
    for (let i = 0; i < iters + 1; i++) {
      for (const variant of variants) {
        if (variant !== 'unfused') rg.setKernelVariant('attention', variant);
        rg.resetPeakBytes();
        const base = rg.memory().liveBytes;
        const t0 = performance.now();
        const loss = rg.tidy(() => {
          const o = variant !== 'unfused' ? rg.attention(q, k, v, { causal }) : unfused(q, k, v, causal, T);
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
    rg.setKernelVariant('attention', 'auto');
    for (const variant of variants) {
      rows.push({ T, causal, variant, ms: median(times[variant]), peakMiB: peaks[variant] });
      console.log(`T=${T} causal=${causal} ${variant}: ${median(times[variant]).toFixed(1)} ms, peak ${peaks[variant].toFixed(2)} MiB`);
    }
    for (const t of [q, k, v]) t.dispose();
  }
}
const table = rows
  .filter((r) => r.variant === 'flash')
  .map((f) => {
    const same = (v: string) => rows.find((r) => r.variant === v && r.T === f.T && r.causal === f.causal)!;
    const [sc, u] = [same('scores'), same('unfused')];
    return [f.T, f.causal ? 'causal' : 'full', f.ms.toFixed(1), sc.ms.toFixed(1), u.ms.toFixed(1), `${(u.ms / f.ms).toFixed(2)}x`, `${(u.ms / sc.ms).toFixed(2)}x`, f.peakMiB.toFixed(2), sc.peakMiB.toFixed(2), u.peakMiB.toFixed(2)];
  });
writeResults(
  'attention',
  { adapter: info, H, D, iters, defaultVariant: rg.kernelVariant('attention'), rows },
  `Attention forward + backward, [1, ${H}, T, ${D}], the op's flash and scores variants vs matmul-softmax-matmul through autograd (unfused), on ${info.description} (${info.architecture}); median of ${iters}, calls alternating. Speed-up: unfused time / variant time. Peak: MiB allocated during the call. This adapter's default: ${rg.kernelVariant('attention')}.\n\n` +
    markdownTable(['T', 'mask', 'flash ms', 'scores ms', 'unfused ms', 'flash speed-up', 'scores speed-up', 'flash peak MiB', 'scores peak MiB', 'unfused peak MiB'], table),
);
rg.shutdown();
