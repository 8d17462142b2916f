// z = cond ? a : b with NumPy broadcasting of all three (cond bool, 0/1 words; a, b and z 32-bit words of
// one dtype). Per output dim (row-major): the extent and the strides of cond, a and b (0 along a broadcast
// axis). Params: n, rank, then dims = (extent, cond stride, a stride, b stride) per dim; with SAME (all
// three of the output's shape) every index is i.
// Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

const SAME: bool = {{SAME}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  if (SAME) {
    Z[i] = select(B[i], A[i], COND[i] != 0u);
    return;
  }
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  var rest = i;
  for (var d = params.rank; d > 0u; d--) {
    let base = 4u * (d - 1u);
    let extent = params.dims[base];
    let c = rest % extent;
    rest = rest / extent;
    ic += c * params.dims[base + 1u];
    ia += c * params.dims[base + 2u];
    ib += c * params.dims[base + 3u];
  }
  Z[i] = select(B[ib], A[ia], COND[ic] != 0u);
}
