// One row of a multiclass fused loss in one invocation, shared by loss_rows_thread.wgsl and, in place, by
// linear_loss_rows.wgsl. Pass 1: the online (max, sum of exp), one read of the row; then the row loss (the
// contract and the options: loss_rows_options.wgsl); pass 2 when `grad`: the gradient row, one read and
// one write (memory traffic, not exp, bounds this on SwiftShader), scaled by `scale`. The logits are read
// from {{ZIN}} and the gradient written to {{ZOUT}}: the same array for the in-place chunked linear loss.
// Returns (loss, log-sum-exp, coef = -dL/dlogp).
fn loss_row(base: u32, C: u32, y: u32, scale: f32, grad: bool) -> vec3<f32> {
  var mx = NEG_BIG;
  var s = 0.0;
  var zsum = 0.0;
  for (var c = 0u; c < C; c++) {
    let z = {{ZIN}}[base + c];
    if (SMOOTH) { zsum += z; }
    if (z > mx) {
      s = s * exp(mx - z) + 1.0;
      mx = z;
    } else {
      s += exp(z - mx);
    }
  }
  let log_s = log_shifted_sum(s);
  let lc = row_loss_at(({{ZIN}}[base + y] - mx) - log_s);
  let coef = -lc.y; // row_loss gives dL/dlogp: dL/dz_c = -dL/dlogp (p_c - [c == y])
  let loss = select(lc.x, smoothed_loss(lc.x, mx, zsum / f32(C), log_s), SMOOTH);
  if (grad) {
    let sc = coef * scale;
    for (var c = 0u; c < C; c++) {
      let p = exp(({{ZIN}}[base + c] - mx) - log_s);
      let hot = select(0.0, 1.0, c == y);
      if (SMOOTH) {
        {{ZOUT}}[base + c] = scale * ((1.0 - params.eps) * coef * (p - hot) + params.eps * (p - 1.0 / f32(C)));
      } else {
        {{ZOUT}}[base + c] = sc * (p - hot);
      }
    }
  }
  return vec3<f32>(loss, mx + log_s, coef);
}
