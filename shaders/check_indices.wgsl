// Anomaly mode: flags[slot] = 1 when any of the n i32 indices is outside [0, bound) (the indexing kernels
// clamp, so a wrong index made on the GPU would otherwise pass silently). Every invocation that finds one
// stores the same value, so the race is benign.
// Params: n, slot, bound. Bindings: 1 indices (i32), 2 flags. Workgroup: 256 invocations, one index each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let v = IDX[i];
  if (v < 0 || v >= i32(params.bound)) { FLAGS[params.slot] = 1u; }
}
