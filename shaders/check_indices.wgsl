// Anomaly mode: flags[slot] = 1 when any of the n i32 indices is outside [0, bound) (the indexing kernels
// clamp, so a wrong index made on the GPU would otherwise pass silently). Every invocation that finds one
// stores the same value, so the race is benign.
// Params: n, slot, bound. Bindings: 1 indices (i32), 2 flags. Workgroup: 256 invocations, one index each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> IDX: array<i32>;
@group(0) @binding(2) var<storage, read_write> FLAGS: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let v = IDX[i];
  if (v < 0 || v >= i32(pu(2u))) { FLAGS[pu(1u)] = 1u; }
}
