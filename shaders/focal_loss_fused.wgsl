// Fused focal loss (row_loss for loss_rows_workgroup.wgsl / loss_rows_thread.wgsl), alpha = params.a0, gamma = params.a1, with p = p_y, q = 1 - p:
//   L_i = -alpha q^gamma log p
//   dL_i/dlogp = -coef, dL_i/dz_c = coef (p_c - [c == y]),  coef = alpha q^gamma (1 - gamma p (log p) / q)
// (from dp_y/dz_c = p_y ([c == y] - p_c)). q = -expm1(log p) keeps precision when p is near 1, and
// (log p)/q -> -1 as q -> 0 removes the 0 * inf of the textbook form q^(gamma-1) log p.

fn row_loss(logp: f32) -> vec2<f32> {
  let alpha = params.a0;
  let gamma = params.a1;
  let q = -expm1_(logp);
  let qg = pow_scalar(q, gamma);
  let r = select(logp / q, -1.0, q < 1e-30);
  let p = exp(logp);
  return vec2<f32>(-alpha * qg * logp, -alpha * qg * (1.0 - gamma * p * r));
}
