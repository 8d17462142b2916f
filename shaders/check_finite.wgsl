// Anomaly mode: flags[slot] = 1 when any of x's n elements is NaN or +-Inf (exponent bits all ones,
// tested on the bits so that no compiler assumption about NaN can fold the test away). Every invocation
// that finds one stores the same value, so the race is benign.
// Params: n, slot. Bindings: 1 x (any 32-bit words), 2 flags. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  if ((X[i] & 0x7f800000u) == 0x7f800000u) { FLAGS[params.slot] = 1u; }
}
