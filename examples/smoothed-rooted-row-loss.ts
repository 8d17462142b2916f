// A researcher's own loss as a row loss (defineRowLoss): the rooted loss with label smoothing, the same
// loss as examples/label-smoothed-rooted.ts (written there as a whole kernel with defineOp), here in a few
// lines: one WGSL function of log p_y and its derivative, a float64 reference and a composition of ops.
// It gets the softmax-fused row kernels, both fused linear strategies (the logits never materialised), the
// unfused comparison (`fused: false`), gradcheck and the audit (`rootgrad audit --example`).
// Run: node scripts/run-ts.mjs examples/smoothed-rooted-row-loss.ts
//
// With p = softmax(z) and the smoothed target probability s = (1 - eps) p_y + eps / C:
//   L = m (1 - s^(1/k)),   dL/dlogp = dL/ds ds/dlogp = -(m/k) s^(1/k - 1) (1 - eps) p_y.
import * as rg from '../src/node.js';

export const smoothedRooted = rg.defineRowLoss({
  name: 'smoothedRooted',
  scalars: ['k', 'm', 'eps'],
  defaults: { k: 3, m: 3, eps: 0.1 },
  wgsl: /* wgsl */ `
fn row_loss(logp: f32) -> vec2<f32> {
  let k = params.a0;
  let m = params.a1;
  let eps = params.a2;
  let py = exp(logp);
  let s = (1.0 - eps) * py + eps / f32(params.C);
  let root = exp(log(s) / k);
  return vec2<f32>(m * (1.0 - root), -(m / k) * (root / s) * (1.0 - eps) * py);
}`,
  reference: (logp, { k, m, eps }, C) => m * (1 - ((1 - eps) * Math.exp(logp) + eps / C) ** (1 / k)),
  compose: (logp, { k, m, eps }, C) => rg.affine(rg.exp(rg.affine(rg.log(rg.affine(rg.exp(logp), 1 - eps, eps / C)), 1 / k)), -m, m),
  check: ({ k, m, eps }) => {
    if (!(k > 0) || !(m > 0) || !(eps >= 0 && eps < 1)) throw new Error(`smoothedRooted: needs k > 0, m > 0 and 0 <= eps < 1, got k=${k}, m=${m}, eps=${eps}`);
  },
});

if (import.meta.url === `file://${process.argv[1]}`) {
  await rg.init();
  rg.manualSeed(0);
  const h = rg.randn([300, 32], { requiresGrad: true });
  const w = rg.randn([1000, 32], { std: 0.2, requiresGrad: true });
  const y = rg.tensor(Array.from({ length: 300 }, (_, i) => (i * 37) % 1000), [300], { dtype: 'i32' });
  for (const [what, loss] of [
    ['materialised logits, fused softmax row kernel', () => smoothedRooted.loss(rg.matmul(h, rg.transpose(w)), y)],
    ['materialised logits, composition of ops', () => smoothedRooted.loss(rg.matmul(h, rg.transpose(w)), y, { fused: false })],
    ['fused linear, chunked', () => smoothedRooted.linear(h, w, y, { strategy: 'chunked' })],
    ['fused linear, tiled', () => smoothedRooted.linear(h, w, y, { strategy: 'tiled' })],
  ] as const) {
    const L = loss();
    L.backward();
    console.log(`${what.padEnd(48)} loss ${(await L.item()).toFixed(6)}  |dW| ${Math.sqrt(await rg.sum(rg.mul(w.grad!, w.grad!)).item()).toFixed(6)}`);
    w.grad = null;
    h.grad = null;
  }
  const rows = await rg.runAudit({ only: ['rowLoss', 'linearLoss'], cases: 3 });
  for (const r of rows) console.log(`audit ${r.name}: max rel error ${r.maxRelError.toExponential(2)} ${r.pass ? 'pass' : 'FAIL'}`);
}
