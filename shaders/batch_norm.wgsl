// Batch norm apply, elementwise over x viewed as [N, C, S]:  Y = (X - MEAN[c]) * RSTD[c] * Wt[c] + Bias[c].
// Layout: X, Y [N, C, S]; MEAN, RSTD, Wt, Bias [C]. Workgroup: 64 invocations.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 64u);
  if (i >= params.n) { return; }
  let c = (i / params.S) % params.C;
  Y[i] = (X[i] - MEAN[c]) * RSTD[c] * Wt[c] + Bias[c];
}
