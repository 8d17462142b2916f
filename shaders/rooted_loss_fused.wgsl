// Fused Rooted Logistic Objective, multiclass (Wang et al., arXiv 2310.03890; row_loss for loss_rows_*.wgsl),
// k = params.a0, m = params.a1:
//   L_i = m (1 - p_y^(1/k)),   dL_i/dlogp = -(m/k) p_y^(1/k)   (dL_i/dz_c = (m/k) p_y^(1/k) (p_c - [c == y]))
// p_y^(1/k) = exp(log p_y / k) from the log-sum-exp, never a power of a rounded probability: it stays
// exact when p_y underflows in f32, and 1 - p_y^(1/k) = -expm1(log p_y / k) keeps digits as k grows
// (where the loss tends to cross-entropy for m = k).

fn row_loss(logp: f32) -> vec2<f32> {
  let k = params.a0;
  let m = params.a1;
  let t = logp / k;
  return vec2<f32>(-m * expm1_(t), -(m / k) * exp(t));
}
