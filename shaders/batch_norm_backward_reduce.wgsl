// Batch norm backward, the per-channel sums (one invocation per channel, fixed order: deterministic):
//   DW[c] = sum_{n, s} G * xhat,  DB[c] = sum_{n, s} G,  with xhat = (X - MEAN[c]) * RSTD[c]
// They are the weight and bias gradients, and what the input gradient (batch_norm_backward.wgsl) subtracts.
// Layout: X, G [N, C, S]; MEAN, RSTD, DW, DB [C]. Workgroup: 64 invocations.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.C) { return; }
  let mean = MEAN[c];
  let rstd = RSTD[c];
  var dw = 0.0;
  var db = 0.0;
  for (var n = 0u; n < params.N; n++) {
    let base = (n * params.C + c) * params.S;
    for (var s = 0u; s < params.S; s++) {
      let g = G[base + s];
      dw += g * (X[base + s] - mean) * rstd;
      db += g;
    }
  }
  DW[c] = dw;
  DB[c] = db;
}
