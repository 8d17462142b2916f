// Fused multiclass loss, forward and gradient, one INVOCATION per row: the variant for CPU-like adapters
// (SwiftShader), where workgroup barriers cost more than the parallelism within a row brings. Same math
// as loss_rows_workgroup.wgsl, which documents it; the loss is the file named by {{LOSS}}.
// Params: N, C, scale (f32), write gradient (0/1), then the loss's scalars a, b, the ignored label and the smoothing eps (loss_rows_options.wgsl).
// Bindings: 1 logits [N, C], 2 labels i32 [N], 3 per-row loss [N], 4 dlogits [N, C].
// Workgroup: 64 invocations, one row each, over a 2-D grid.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = params.N;
  let C = params.C;
  let row = flat_id(gid, nwg, 64u);
  if (row >= N) { return; }
  let base = row * C;
  if (Y[row] == params.ignore) {
    LOSS[row] = 0.0;
    if (params.need_grad != 0u) { for (var c = 0u; c < C; c++) { DZ[base + c] = 0.0; } }
    return;
  }
  let y = u32(clamp(Y[row], 0, i32(C) - 1));
  // Pass 1: online (max, sum of exp), one read of the row.
  var mx = NEG_BIG;
  var s = 0.0;
  var zsum = 0.0;
  for (var c = 0u; c < C; c++) {
    let z = Z[base + c];
    if (SMOOTH) { zsum += z; }
    if (z > mx) {
      s = s * exp(mx - z) + 1.0;
      mx = z;
    } else {
      s += exp(z - mx);
    }
  }
  let log_s = log(s);
  let lc = row_loss((Z[base + y] - mx) - log_s);
  let coef = -lc.y; // row_loss gives dL/dlogp: dL/dz_c = -dL/dlogp (p_c - [c == y])
  LOSS[row] = select(lc.x, smoothed_loss(lc.x, mx, zsum / f32(C), log_s), SMOOTH);
  if (params.need_grad == 0u) { return; }
  // Pass 2: the gradient row, one read and one write (memory traffic, not exp, bounds this on SwiftShader).
  let scale = coef * params.scale;
  for (var c = 0u; c < C; c++) {
    let p = exp((Z[base + c] - mx) - log_s);
    let hot = select(0.0, 1.0, c == y);
    if (SMOOTH) {
      DZ[base + c] = params.scale * ((1.0 - params.eps) * coef * (p - hot) + params.eps * (p - 1.0 / f32(C)));
    } else {
      DZ[base + c] = scale * (p - hot);
    }
  }
}
