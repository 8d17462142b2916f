// Swaps two axes that carry a contiguous inner block: Y[b, c, r, :] = X[b, r, c, :] (the head split and
// merge of attention, [B, T, H, D] <-> [B, H, T, D], and any permute that reduces to one swap).
// One invocation per output word or, with WORD = vec4<u32> (inner % 4 == 0), per vec4; three divisions
// per invocation instead of the general strided_copy.wgsl's loop over dimensions.
// Works on 32-bit words, so f32 and i32 alike. Params: n (output units), R, C, inner (in units).
// Workgroup: 256 invocations, 1-D over the output.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_id(gid, nwg, 256u);
  if (o >= params.n) { return; }
  let R = params.R; let C = params.C; let inner = params.inner;
  let i = o % inner;
  let row = o / inner; // (b, c, r) of the output, r fastest
  let r = row % R;
  let bc = row / R;
  let c = bc % C;
  let b = bc / C;
  Y[o] = X[((b * R + r) * C + c) * inner + i];
}
