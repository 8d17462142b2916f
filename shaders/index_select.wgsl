// index_select: Y[o, j, i] = X[o, IDX[j], i] for X viewed as [outer, R, inner] and k indices; an index
// outside [0, R) reads as 0 (never out of bounds; detectAnomaly reports it). On 32-bit words: any dtype.
// Params: outer, R, inner, k. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 256u);
  let inner = params.inner;
  let k = params.k;
  if (e >= params.outer * k * inner) { return; }
  let i = e % inner;
  let j = (e / inner) % k;
  let o = e / (inner * k);
  let r = IDX[j];
  Y[e] = select(0u, X[(o * params.R + u32(r)) * inner + i], r >= 0 && u32(r) < params.R);
}
