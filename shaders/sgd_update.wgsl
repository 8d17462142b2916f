// SGD step for one parameter, in place (torch.optim.SGD's semantics):
//   d = c g + wd p;  buf = momentum buf + (1 - dampening) d (buf = d on the buffer's first step);
//   d = nesterov ? d + momentum buf : buf;  p = p - lr d
// c is the gradient-clipping factor COEF[0] when COEF[2] holds this step's stamp (clip_coef.wgsl), else 1.
// Params: n, first step (0/1), use momentum (0/1), nesterov (0/1), lr, momentum, dampening, weight decay (f32),
// stamp (u32).
// Bindings: 1 p, 2 g, 3 momentum buffer, 4 coef. Workgroup: 256 invocations, one element each.
#include "common.wgsl"

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 256u);
  if (i >= params.n) { return; }
  let lr = params.lr;
  let mom = params.momentum;
  let wd = params.weight_decay;
  let p = PARAM[i];
  let c = select(1.0, bitcast<f32>(COEF[0]), COEF[2] == params.stamp); // COEF: u32 words (clip_coef.wgsl)
  var d = c * GRAD[i] + wd * p;
  if (params.use_momentum != 0u) {
    var b = d;
    if (params.fresh == 0u) { b = mom * BUF[i] + (1.0 - params.dampening) * d; }
    BUF[i] = b;
    d = select(b, d + mom * b, params.nesterov != 0u);
  }
  PARAM[i] = p - lr * d;
}
