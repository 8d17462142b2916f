// Elementwise z = {{EXPR}} of a and b with NumPy broadcasting, in one of three index modes (MODE):
//   0  a, b and z have the same shape: all read at the output index i;
//   1  each input is the output shape or a trailing block of it (a bias, a scalar): read at i % n_a, i % n_b;
//   2  general: per dim d (row-major) the output extent and each input's stride (0 along a broadcast axis).
// Params (src/ops/binary.ts): n output elements; mode 1: na, nb; mode 2: rank, then dims = (extent,
// a stride, b stride) per dim. With T = vec4<f32> (modes 0 and 1, every count a multiple of 4) each
// invocation computes one vec4, EXPR per lane (MAP), and the counts are in vec4s.
// Workgroup: 256 invocations.
#include "common.wgsl"

fn op(a: f32, b: f32) -> f32 {
  return {{EXPR}};
}

const MODE: u32 = {{MODE}}u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  var ia = i;
  var ib = i;
  if (MODE == 1u) {
    ia = i % params.na;
    ib = i % params.nb;
  } else if (MODE == 2u) {
    ia = 0u;
    ib = 0u;
    var rest = i;
    for (var d = params.rank; d > 0u; d--) {
      let base = 3u * (d - 1u);
      let extent = params.dims[base];
      let c = rest % extent;
      rest = rest / extent;
      ia += c * params.dims[base + 1u];
      ib += c * params.dims[base + 2u];
    }
  }
  let a = A[ia];
  let b = B[ib];
  Z[i] = {{MAP}};
}
