// Fills a buffer with one 32-bit word (an f32 or i32 value's bits): y[i] = P[1], n = P[0].
// With STEP, y[i] = start + i * step instead (arange): f32 or i32 per DTYPE.
// Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read_write> Y: array<u32>;

const STEP: bool = {{STEP}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  if (STEP) {
    Y[i] = bitcast<u32>({{DTYPE}}(pf(1u) + f32(i) * pf(2u)));
  } else {
    Y[i] = pu(1u);
  }
}
