// Fused multiclass loss, forward and gradient, one INVOCATION per row: the variant for CPU-like adapters
// (SwiftShader), where workgroup barriers cost more than the parallelism within a row brings. Same math
// as loss_rows_workgroup.wgsl, which documents it; the row itself is loss_row_thread.wgsl; the loss is the
// file named by {{LOSS}}.
// Params: N, C, scale (f32), write gradient (0/1), then the loss's scalars a0..a3, the ignored label and the smoothing eps (loss_rows_options.wgsl).
// Bindings: 1 logits [N, C], 2 labels i32 [N], 3 per-row loss [N], 4 dlogits [N, C].
// Workgroup: 64 invocations, one row each, over a 2-D grid.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"
#include "loss_row_thread.wgsl"

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
  LOSS[row] = loss_row(base, C, y, params.scale, params.need_grad != 0u).x;
}
