// Poly-1 (Leng et al., 2022) as a row loss, in a plain ES module that imports rootgrad by its package name:
// give it to any command with --import, from any folder, and the loss is usable by name:
//   rootgrad train --import examples/poly1.mjs --loss poly1 --loss-options eps=2
//   rootgrad experiment --import examples/poly1.mjs --losses ce,rooted,poly1
//   rootgrad audit --import examples/poly1.mjs --only poly1
// L = -log p_y + eps (1 - p_y),   dL/dlogp = -1 - eps p_y.
import * as rg from 'rootgrad';

export const poly1 = rg.defineRowLoss({
  name: 'poly1',
  scalars: ['eps'],
  defaults: { eps: 1 },
  wgsl: /* wgsl */ `
fn row_loss(logp: f32) -> vec2<f32> {
  let eps = params.a0;
  let py = exp(logp);
  return vec2<f32>(-logp + eps * (1.0 - py), -1.0 - eps * py);
}`,
  reference: (logp, { eps }) => -logp - eps * Math.expm1(logp),
  compose: (logp, { eps }) => rg.add(rg.neg(logp), rg.affine(rg.exp(logp), -eps, eps)),
});
