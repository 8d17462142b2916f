// Gathers a strided view into a contiguous tensor: permute, transpose and broadcast-expand.
// y[i] = x[sum_d c_d * stride_d] where (c_d) is the row-major multi-index of i in the output shape.
// Params: n = P[0], r = P[1], then per dim: out extent, input stride (0 to broadcast) at P[2 + 2d ..].
// Works on 32-bit words, so f32 and i32 alike. Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> Y: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  var src = 0u;
  var rest = i;
  for (var d = pu(1u); d > 0u; d--) {
    let base = 2u + 2u * (d - 1u);
    let extent = pu(base);
    src += (rest % extent) * pu(base + 1u);
    rest = rest / extent;
  }
  Y[i] = X[src];
}
