// Comparisons and logical ops with broadcasting, to bool (0/1 words): z = {{EXPR}} of a and b, each first
// converted to S ({{S}}: i32 when both inputs are integers or bools, so that large integers compare
// exactly, else f32). Index modes as binary.wgsl (broadcast_index.wgsl). Params: n, na, nb, rank, dims.
// Workgroup: 256 invocations, one output element each.
#include "common.wgsl"
#include "broadcast_index.wgsl"

alias S = {{S}};

fn op(a: S, b: S) -> bool {
  return {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let at = broadcast_ab(i);
  Z[i] = select(0u, 1u, op(S(A[at.x]), S(B[at.y])));
}
