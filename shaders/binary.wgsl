// Elementwise z = {{EXPR}} of a and b with NumPy broadcasting.
// Params: n = P[0] output elements, r = P[1] dims, then per dim d (row-major): out shape, a stride,
// b stride (stride 0 along a broadcast axis) at P[2 + 3d ..]. BROADCAST = false means a, b and z have
// the same shape and are read at the same flat index.
// Workgroup: 256 invocations, one output element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;

const BROADCAST: bool = {{BROADCAST}};

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  var ia = i;
  var ib = i;
  if (BROADCAST) {
    ia = 0u;
    ib = 0u;
    var rest = i;
    let r = pu(1u);
    for (var d = r; d > 0u; d--) {
      let base = 2u + 3u * (d - 1u);
      let extent = pu(base);
      let c = rest % extent;
      rest = rest / extent;
      ia += c * pu(base + 1u);
      ib += c * pu(base + 2u);
    }
  }
  let a = A[ia];
  let b = B[ib];
  Z[i] = {{EXPR}};
}
