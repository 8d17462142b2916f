// Fused binary loss, forward and gradient: the loss is the file named by {{LOSS}} (rooted_logistic_fused,
// binary_cross_entropy_fused), which defines binary_loss. One invocation per example with logit z and label y in {0, 1}, s = 2y - 1. The including file's
// binary_loss(z, s) returns (loss_i, dL_i/dz); the gradient, times scale, is written in the same pass.
// Params: N, scale (f32, 1/N for a mean), write gradient (0/1), then the loss's scalar a.
// Bindings: 1 logits [N], 2 labels i32 [N], 3 per-example loss [N], 4 dlogits [N].
// Workgroup: 256 invocations, one example each.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.N) { return; }
  let s = select(-1.0, 1.0, Y[i] == 1);
  let lg = binary_loss(Z[i], s);
  LOSS[i] = lg.x;
  if (params.need_grad != 0u) { DZ[i] = lg.y * params.scale; }
}
