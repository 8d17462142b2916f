// Fused binary Rooted Logistic Objective (binary_loss for loss_binary.wgsl), k = params.a, u = softplus(-s z):
//   L_i = k ((1 + e^(-s z))^(1/k) - 1) = k expm1(u / k)
//   dL_i/dz = -s sigmoid(-s z) exp(u / k)
// Finite wherever the true value fits in f32 (|z| up to about 88 k); beyond, it overflows to +inf, never NaN.

fn binary_loss(z: f32, s: f32) -> vec2<f32> {
  let k = params.a;
  let u = softplus(-s * z);
  return vec2<f32>(k * expm1_(u / k), -s * sigmoid(-s * z) * exp(u / k));
}
