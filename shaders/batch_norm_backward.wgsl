// Batch norm backward to the input, elementwise over [N, C, S], with m = N*S, xhat = (X - MEAN[c]) * RSTD[c]
// and the channel sums SG = sum G, SGX = sum G * xhat (batch_norm_backward_reduce.wgsl):
//   training (batch statistics depend on x):  DX = Wt[c] * RSTD[c] * (G - (SG[c] + xhat * SGX[c]) / m)
//   eval (running statistics are constants):  DX = Wt[c] * RSTD[c] * G
// Layout: X, G, DX [N, C, S]; the rest [C]. Workgroup: 64 invocations.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 64u);
  if (i >= params.n) { return; }
  let c = (i / params.S) % params.C;
  let scale = Wt[c] * RSTD[c];
  if (params.training == 0u) {
    DX[i] = scale * G[i];
    return;
  }
  let xhat = (X[i] - MEAN[c]) * RSTD[c];
  DX[i] = scale * (G[i] - (SG[c] + xhat * SGX[c]) / f32(params.N * params.S));
}
