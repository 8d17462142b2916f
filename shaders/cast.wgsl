// Converts between dtypes elementwise: y = {{CONV}} of x = X[i] (read as {{FROM}}, written as {{TO}}):
// f32 <-> i32 by value (to i32 truncates toward zero), bool (u32 0/1 words) to a number as 0 or 1, and a
// number to bool as x != 0. Works on 32-bit words. Params: n. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let x = X[i];
  Y[i] = {{CONV}};
}
