// Elementwise z = {{EXPR}} of a and b with NumPy broadcasting, in one of three index modes (MODE, see
// broadcast_index.wgsl). Params (src/ops/binary.ts): n output elements; mode 1: na, nb; mode 2: rank, then
// dims = (extent, a stride, b stride) per dim. With T = vec4<f32> (modes 0 and 1, every count a multiple of 4) each
// invocation computes one vec4, EXPR per lane (MAP), and the counts are in vec4s.
// Workgroup: 256 invocations.
#include "common.wgsl"
#include "broadcast_index.wgsl"

fn op(a: f32, b: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let at = broadcast_ab(i);
  let ia = at.x;
  let ib = at.y;
  let a = A[ia];
  let b = B[ib];
  Z[i] = {{MAP}};
}
