// Converts between f32 and i32 elementwise: y = {{TO}}(x) (i32 conversion truncates toward zero).
// Works on 32-bit words. Params: n. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  Y[i] = {{TO}}(X[i]);
}
