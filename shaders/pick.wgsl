// Picks one element per row: y[i] = x[i, idx[i]] for x [N, C], idx i32 [N] (BACKWARD = false), or
// scatters the gradient back: dx[i, c] = (c == idx[i]) ? g[i] : 0 (BACKWARD = true).
// An index outside [0, C) reads as 0 (never out of bounds). Params: N, C.
// Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

const BACKWARD: bool = {{BACKWARD}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let N = params.N;
  let C = params.C;
  let j = flat_id(gid, nwg, 256u);
  if (BACKWARD) {
    if (j >= N * C) { return; }
    Y[j] = select(0.0, X[j / C], IDX[j / C] == i32(j % C));
  } else {
    if (j >= N) { return; }
    let c = IDX[j];
    let v = X[j * C + u32(clamp(c, 0, i32(C) - 1))];
    Y[j] = select(0.0, v, c >= 0 && u32(c) < C);
  }
}
