// Backward of max over the middle axis of [outer, R, inner]: dx = g at the saved argmax, 0 elsewhere.
// Params: outer, R, inner. Workgroup: 256 invocations, one input element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let outer = params.outer;
  let R = params.R;
  let inner = params.inner;
  let j = flat_id(gid, nwg, 256u);
  if (j >= outer * R * inner) { return; }
  let i = j % inner;
  let r = (j / inner) % R;
  let o = j / (inner * R);
  let k = o * inner + i;
  DX[j] = select(0.0, G[k], ARG[k] == i32(r));
}
