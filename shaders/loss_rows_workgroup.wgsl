// Fused multiclass loss, forward and gradient, one WORKGROUP per row (for GPUs; see loss_rows_thread.wgsl
// for CPU-like adapters). The loss is the file named by {{LOSS}} (cross_entropy_fused, focal_loss_fused,
// rooted_loss_fused), which defines row_loss. Logits z [N, C], labels y (i32 [N]).
//   pass 1: each invocation folds its strided share of the row into an online (max, sum of exp);
//           a workgroup tree reduction (workgroup_reduce.wgsl) combines them: lse = mx + log s (stable)
//   then:   log p_y = (z_y - mx) - log s (clamped at 0); the including file's row_loss(log p_y) returns (loss_i, coef_i)
//   pass 2: when a gradient is wanted, dz_c = coef_i * scale * (p_c - [c == y]) in the same dispatch
// Every loss here has a gradient of that form: dL_i/dz_c = coef_i * (p_c - onehot_c).
// Rows longer than the workgroup loop over the row; a 2-D grid of workgroups covers N > 65535. A label outside [0, C) is clamped (never read out of
// bounds); the op validates host-known labels before dispatch.
// Params: N, C, scale (f32, 1/N for a mean), write gradient (0/1), then the loss's own scalars a0..a3, the ignored label and the smoothing eps (loss_rows_options.wgsl).
// Bindings: 1 logits, 2 labels, 3 per-row loss [N], 4 dlogits [N, C]. Workgroup: 64 invocations, one row.
#include "common.wgsl"
#include "math.wgsl"
#include "workgroup_reduce.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = params.N;
  let C = params.C;
  let row = wid.x + wid.y * nwg.x;
  if (row >= N) { return; }
  let base = row * C;
  // An ignored row reads nothing of its logits and writes zeros, selected, never multiplied (0 * NaN is
  // NaN): it still takes part in the barriers (no early return: a value read from storage is not uniform
  // for WGSL), with loops over none of its classes.
  let ignored = Y[row] == params.ignore;
  let width = select(C, 0u, ignored);

  var ms = vec2<f32>(NEG_BIG, 0.0);
  for (var c = lid; c < width; c += WG) { ms = online_logsumexp(ms, Z[base + c]); }
  let red = workgroup_logsumexp(lid, ms);
  // lse = mx + log_s, kept apart: z - mx is exact, and rounding mx + log_s to the magnitude of the
  // logits (1e4 and beyond) would cost log p up to an ulp of the logits.
  let mx = red.x;
  let log_s = log_shifted_sum(red.y);

  let y = u32(clamp(Y[row], 0, i32(C) - 1));
  let zy = select(Z[base + y], mx, ignored);
  let lc = row_loss_at(select((zy - mx) - log_s, 0.0, ignored));
  let coef = -lc.y; // row_loss gives dL/dlogp: dL/dz_c = -dL/dlogp (p_c - [c == y])
  var zmean = 0.0;
  if (SMOOTH) {
    var zs = 0.0;
    for (var c = lid; c < width; c += WG) { zs += Z[base + c]; }
    zmean = workgroup_sum(lid, zs) / f32(C);
  }
  if (lid == 0u) { LOSS[row] = select(select(lc.x, smoothed_loss(lc.x, mx, zmean, log_s), SMOOTH), 0.0, ignored); }
  if (params.need_grad != 0u) {
    if (ignored) {
      for (var c = lid; c < C; c += WG) { DZ[base + c] = 0.0; }
      return;
    }
    let scale = coef * params.scale;
    for (var c = lid; c < C; c += WG) {
      let p = exp((Z[base + c] - mx) - log_s);
      let hot = select(0.0, 1.0, c == y);
      if (SMOOTH) {
        DZ[base + c] = params.scale * ((1.0 - params.eps) * coef * (p - hot) + params.eps * (p - 1.0 / f32(C)));
      } else {
        DZ[base + c] = scale * (p - hot);
      }
    }
  }
}
