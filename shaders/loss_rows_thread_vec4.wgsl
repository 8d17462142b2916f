// Fused multiclass loss, forward and gradient, one INVOCATION per row, rows read and written as vec4:
// loss_rows_thread.wgsl for C a multiple of 4. On CPU-like adapters each invocation's loads are gathers
// across rows; vec4 makes each of them 16 contiguous bytes, a quarter of the loads. Same math (see
// loss_rows_workgroup.wgsl); the loss is the file named by {{LOSS}}.
// Params: N, C, scale (f32), write gradient (0/1), then the loss's scalars a0..a3, the ignored label and the smoothing eps (loss_rows_options.wgsl).
// Bindings: 1 logits [N, C/4] vec4, 2 labels i32 [N], 3 per-row loss [N], 4 dlogits [N, C/4] vec4.
// Workgroup: 64 invocations, one row each, over a 2-D grid.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"
#include "loss_rows_options.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = params.N;
  let C4 = params.C / 4u;
  let row = flat_id(gid, nwg, 64u);
  if (row >= N) { return; }
  let base = row * C4;
  if (Y[row] == params.ignore) {
    LOSS[row] = 0.0;
    if (params.need_grad != 0u) { for (var c = 0u; c < C4; c++) { DZ[base + c] = vec4<f32>(0.0); } }
    return;
  }
  // Online (max, sum of exp) over the row, four lanes at a time.
  var mx = NEG_BIG;
  var s = 0.0;
  var zsum = 0.0;
  for (var c = 0u; c < C4; c++) {
    let z = Z[base + c];
    if (SMOOTH) { zsum += (z.x + z.y) + (z.z + z.w); }
    let m4 = max(max(z.x, z.y), max(z.z, z.w));
    if (m4 > mx) {
      s = s * exp(mx - m4);
      mx = m4;
    }
    let e = exp(z - vec4<f32>(mx));
    s += e.x + e.y + e.z + e.w;
  }
  let log_s = log_shifted_sum(s);
  let y = u32(clamp(Y[row], 0, i32(params.C) - 1));
  let zy = Z[base + y / 4u][y % 4u];
  let lc = row_loss_at((zy - mx) - log_s);
  let coef = -lc.y; // row_loss gives dL/dlogp: dL/dz_c = -dL/dlogp (p_c - [c == y])
  LOSS[row] = select(lc.x, smoothed_loss(lc.x, mx, zsum / f32(params.C), log_s), SMOOTH);
  if (params.need_grad == 0u) { return; }
  let scale = coef * params.scale;
  for (var c = 0u; c < C4; c++) {
    let p = exp((Z[base + c] - vec4<f32>(mx)) - vec4<f32>(log_s));
    let hot = vec4<f32>(select(vec4<u32>(0u), vec4<u32>(1u), vec4<u32>(c * 4u) + vec4<u32>(0u, 1u, 2u, 3u) == vec4<u32>(y)));
    if (SMOOTH) {
      DZ[base + c] = params.scale * ((1.0 - params.eps) * coef * (p - hot) + params.eps * (p - vec4<f32>(1.0 / f32(params.C))));
    } else {
      DZ[base + c] = scale * (p - hot);
    }
  }
}
