// Adam / AdamW step for one parameter, in place:
//   g' = c g (+ wd p for Adam's L2 form);  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
//   p = p (1 - lr wd, for AdamW's decoupled decay) - lr (m / bc1) / (sqrt(v / bc2) + eps)
// bc1 = 1 - b1^t and bc2 = 1 - b2^t are computed on the host per step. c = COEF[0] is the clipping factor.
// Params: n, decoupled (0 Adam, 1 AdamW), lr, b1, b2, eps, wd, bc1, bc2 (f32).
// Bindings: 1 p, 2 g, 3 m, 4 v, 5 coef. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read_write> PARAM: array<f32>;
@group(0) @binding(2) var<storage, read> GRAD: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;
@group(0) @binding(4) var<storage, read_write> V: array<f32>;
@group(0) @binding(5) var<storage, read> COEF: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let decoupled = pu(1u) != 0u;
  let lr = pf(2u);
  let b1 = pf(3u);
  let b2 = pf(4u);
  let eps = pf(5u);
  let wd = pf(6u);
  var p = PARAM[i];
  var g = COEF[0] * GRAD[i];
  if (decoupled) { p = p * (1.0 - lr * wd); } else { g = g + wd * p; }
  let m = b1 * M[i] + (1.0 - b1) * g;
  let v = b2 * V[i] + (1.0 - b2) * g * g;
  M[i] = m;
  V[i] = v;
  PARAM[i] = p - lr * (m / pf(7u)) / (sqrt(v / pf(8u)) + eps);
}
