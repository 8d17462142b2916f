// Dropout mask: y[i] = 1/keep with probability keep, else 0, from a counter-based hash of (seed, i)
// (PCG-style integer mixing): deterministic for a seed, no state on the GPU, no host round trip.
// Params: n, seed, keep (f32). Workgroup: 256 invocations, one element each.
#include "common.wgsl"

fn hash_u32(x: u32) -> u32 {
  var h = x * 747796405u + 2891336453u;
  h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
  return (h >> 22u) ^ h;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let keep = params.keep;
  let u = f32(hash_u32(hash_u32(i) ^ params.seed) >> 8u) / 16777216.0; // uniform in [0, 1), 24 bits
  Y[i] = select(0.0, 1.0 / keep, u < keep);
}
