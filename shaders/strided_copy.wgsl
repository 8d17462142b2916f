// Gathers a strided view into a contiguous tensor: permute, transpose and broadcast-expand.
// y[i] = x[sum_d c_d * stride_d] where (c_d) is the row-major multi-index of i in the output shape.
// Params: n, rank, then dims = (out extent, input stride (0 to broadcast)) per dim.
// Works on 32-bit words, so f32 and i32 alike. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  var src = 0u;
  var rest = i;
  for (var d = params.rank; d > 0u; d--) {
    let base = 2u * (d - 1u);
    let extent = params.dims[base];
    src += (rest % extent) * params.dims[base + 1u];
    rest = rest / extent;
  }
  Y[i] = X[src];
}
