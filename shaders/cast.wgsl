// Converts between f32 and i32 elementwise: y = {{TO}}(x) (i32 conversion truncates toward zero).
// Works on 32-bit words. n = P[0]. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> X: array<{{FROM}}>;
@group(0) @binding(2) var<storage, read_write> Y: array<{{TO}}>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  Y[i] = {{TO}}(X[i]);
}
