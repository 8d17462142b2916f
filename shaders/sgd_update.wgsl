// SGD step for one parameter, in place (PyTorch's semantics, dampening 0):
//   d = c g + wd p;  buf = momentum buf + d (buf = d on the first step);  d = nesterov ? d + momentum buf : buf
//   p = p - lr d
// c = COEF[0] is the gradient-clipping factor (1 when not clipping).
// Params: n, first step (0/1), use momentum (0/1), nesterov (0/1), lr, momentum, weight decay (f32).
// Bindings: 1 p, 2 g, 3 momentum buffer, 4 coef. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read_write> PARAM: array<f32>;
@group(0) @binding(2) var<storage, read> GRAD: array<f32>;
@group(0) @binding(3) var<storage, read_write> BUF: array<f32>;
@group(0) @binding(4) var<storage, read> COEF: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= pu(0u)) { return; }
  let lr = pf(4u);
  let mom = pf(5u);
  let wd = pf(6u);
  let p = PARAM[i];
  var d = COEF[0] * GRAD[i] + wd * p;
  if (pu(2u) != 0u) {
    var b = d;
    if (pu(1u) == 0u) { b = mom * BUF[i] + d; }
    BUF[i] = b;
    d = select(b, d + mom * b, pu(3u) != 0u);
  }
  PARAM[i] = p - lr * d;
}
