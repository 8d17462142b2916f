// Fused linear loss, tile-fused strategy, forward part 2: per row, the segments' (max, sum of exp, sum)
// from linear_loss_lse.wgsl merged in order into the log-sum-exp, the target logit computed directly
// (z_y = x . w_y + b_y, one dot product: no row of logits is ever needed), then the row loss (the
// contract: loss_rows_options.wgsl). Keeps the log-sum-exp and coef = -dL/dlogp for the backward.
// Params: N, C, K, segments, bias (0/1), the loss's scalars a0..a3, the ignored label, the smoothing eps.
// Bindings: 1 X [N, K], 2 W [C, K], 3 b [C], 4 labels i32 [N], 5 partials vec4 [segments, N],
// 6 per-row loss [N], 7 log-sum-exp [N], 8 coef [N].
// Workgroup: 64 invocations, one row each.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = params.N; let C = params.C; let K = params.K;
  let i = flat_id(gid, nwg, 64u);
  if (i >= N) { return; }
  if (Y[i] == params.ignore) {
    LOSS[i] = 0.0; LSE[i] = 0.0; COEF[i] = 0.0;
    return;
  }
  var mx = NEG_BIG;
  var s = 0.0;
  var zsum = 0.0;
  for (var g = 0u; g < params.segments; g++) {
    let p = PART[g * N + i];
    let m = max(mx, p.x);
    s = s * exp(mx - m) + p.y * exp(p.x - m);
    mx = m;
    zsum += p.z;
  }
  let y = u32(clamp(Y[i], 0, i32(C) - 1));
  var zy = select(0.0, Bias[y], params.bias != 0u);
  var dot = 0.0;
  for (var k = 0u; k < K; k++) { dot += X[i * K + k] * W[y * K + k]; }
  zy += dot;
  let log_s = log_shifted_sum(s);
  let lc = row_loss_at((zy - mx) - log_s); // zy may exceed mx by an ulp: clamped there
  LOSS[i] = select(lc.x, smoothed_loss(lc.x, mx, zsum / f32(C), log_s), SMOOTH);
  LSE[i] = mx + log_s;
  COEF[i] = -lc.y;
}
