// Embedding lookup: out[i, d] = W[idx[i], d] for idx i32 [n], W [V, D]. An index outside [0, V)
// yields a zero row (never an out-of-bounds read); the op checks host-known indices before dispatch.
// Params: n, V, D. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = params.n;
  let V = params.V;
  let D = params.D;
  let j = flat_id(gid, nwg, 256u);
  if (j >= n * D) { return; }
  let row = IDX[j / D];
  let v = W[u32(clamp(row, 0, i32(V) - 1)) * D + j % D];
  Y[j] = select(0.0, v, row >= 0 && u32(row) < V);
}
