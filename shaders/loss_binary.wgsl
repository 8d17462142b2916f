// Fused binary loss, forward and gradient: the loss is the file named by {{LOSS}} (rooted_logistic_fused,
// binary_cross_entropy_fused), which defines binary_loss. One invocation per example with logit z and label y in {0, 1}, s = 2y - 1. The including file's
// binary_loss(z, s) returns (loss_i, dL_i/dz); the gradient, times scale, is written in the same pass.
// Params: N, scale (f32, 1/N for a mean), write gradient (0/1), then the loss's scalars from P[3].
// Bindings: 1 logits [N], 2 labels i32 [N], 3 per-example loss [N], 4 dlogits [N].
// Workgroup: 256 invocations, one example each.
#include "common.wgsl"
#include "math.wgsl"
#include "{{LOSS}}.wgsl"

@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<i32>;
@group(0) @binding(3) var<storage, read_write> LOSS: array<f32>;
@group(0) @binding(4) var<storage, read_write> DZ: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let s = select(-1.0, 1.0, Y[i] == 1);
  let lg = binary_loss(Z[i], s);
  LOSS[i] = lg.x;
  if (pu(2u) != 0u) { DZ[i] = lg.y * pf(1u); }
}
