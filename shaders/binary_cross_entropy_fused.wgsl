// Fused binary cross-entropy on logits (binary_loss for loss_binary.wgsl): the k -> infinity limit of the binary
// rooted loss.   L_i = softplus(-s z) = log(1 + e^(-s z)),   dL_i/dz = -s sigmoid(-s z)

fn binary_loss(z: f32, s: f32) -> vec2<f32> {
  return vec2<f32>(softplus(-s * z), -s * sigmoid(-s * z));
}
