// Backward of softmax / log-softmax over contiguous rows [rows, C], from the saved output y, one
// WORKGROUP per row (the GPU variant of softmax_backward.wgsl):
//   softmax:     dx = y * (g - sum_c g*y)
//   log-softmax: dx = g - exp(y) * sum_c g
// times `scale`, as in softmax_backward.wgsl. The row sum is a workgroup tree reduction (deterministic).
// Params: rows, C, (unused), scale (f32). Workgroup: 64 invocations = one row.
#include "common.wgsl"
#include "workgroup_reduce.wgsl"

const LOG: bool = {{LOG}};

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = params.outer;
  let C = params.C;
  let row = wid.x + wid.y * nwg.x;
  if (row >= rows) { return; }
  let base = row * C;
  var part = 0.0;
  for (var c = lid; c < C; c += WG) { part += select(G[base + c] * Y[base + c], G[base + c], LOG); }
  let s = workgroup_sum(lid, part);
  for (var c = lid; c < C; c += WG) {
    let k = base + c;
    if (LOG) { DX[k] = (G[k] - exp(Y[k]) * s) * params.scale; } else { DX[k] = Y[k] * (G[k] - s) * params.scale; }
  }
}
