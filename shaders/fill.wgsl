// Fills a buffer with one 32-bit word (an f32 or i32 value's bits): y[i] = value, for i < n.
// With STEP, y[i] = start + i * step instead (arange, start = the f32 whose bits are value): f32 or i32 per DTYPE.
// Workgroup: 256 invocations, one element each.
#include "common.wgsl"

const STEP: bool = {{STEP}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  if (STEP) {
    Y[i] = bitcast<u32>({{DTYPE}}(bitcast<f32>(params.value) + f32(i) * params.step));
  } else {
    Y[i] = params.value;
  }
}
