// Adam / AdamW step for one parameter, in place:
//   g' = c g (+ wd p for Adam's L2 form);  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
//   p = p (1 - lr wd, for AdamW's decoupled decay) - lr (m / bc1) / (sqrt(v / bc2) + eps)
// bc1 = 1 - b1^t and bc2 = 1 - b2^t are computed on the host per step. c is the clipping factor COEF[0] when
// COEF[2] holds this step's stamp (clip_coef.wgsl), else 1.
// Params: n, decoupled (0 Adam, 1 AdamW), lr, b1, b2, eps, wd, bc1, bc2 (f32), stamp (u32).
// Bindings: 1 p, 2 g, 3 m, 4 v, 5 coef. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let decoupled = params.decoupled != 0u;
  let lr = params.lr;
  let b1 = params.beta1;
  let b2 = params.beta2;
  let eps = params.eps;
  let wd = params.weight_decay;
  var p = PARAM[i];
  let c = select(1.0, bitcast<f32>(COEF[0]), COEF[2] == params.stamp); // COEF: u32 words (clip_coef.wgsl)
  var g = c * GRAD[i];
  if (decoupled) { p = p * (1.0 - lr * wd); } else { g = g + wd * p; }
  let m = b1 * M[i] + (1.0 - b1) * g;
  let v = b2 * V[i] + (1.0 - b2) * g * g;
  M[i] = m;
  V[i] = v;
  PARAM[i] = p - lr * (m / params.bc1) / (sqrt(v / params.bc2) + eps);
}
