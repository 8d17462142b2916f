// Backward of max over the middle axis of [outer, R, inner]: dx = g at the saved argmax, 0 elsewhere.
// Params: outer, R, inner. Workgroup: 256 invocations, one input element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> ARG: array<i32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let outer = pu(0u);
  let R = pu(1u);
  let inner = pu(2u);
  let j = flat_id(gid, nwg, 256u);
  if (j >= outer * R * inner) { return; }
  let i = j % inner;
  let r = (j / inner) % R;
  let o = j / (inner * R);
  let k = o * inner + i;
  DX[j] = select(0.0, G[k], ARG[k] == i32(r));
}
