// Fused cross-entropy, a row loss (the contract: loss_rows_options.wgsl):
//   L_i = -log p_y,   dL_i/dlogp = -1   (so dL_i/dz_c = p_c - [c == y])

fn row_loss(logp: f32) -> vec2<f32> {
  return vec2<f32>(-logp, -1.0);
}
