// Fused cross-entropy, forward and gradient in one pass per row (row_loss for loss_rows_workgroup.wgsl / loss_rows_thread.wgsl):
//   L_i = -log p_y,   dL_i/dz_c = p_c - [c == y]   (coef = 1)

fn row_loss(logp: f32) -> vec2<f32> {
  return vec2<f32>(-logp, 1.0);
}
