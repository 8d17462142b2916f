// Backward of softmax / log-softmax along the middle axis of [outer, C, inner], from the saved output y:
//   softmax:     dx = y * (g - sum_c g*y)
//   log-softmax: dx = g - exp(y) * sum_c g
// times `scale` (attention's scores: the forward scaled its input). One invocation per row, two passes.
// Params: outer, C, inner, scale (f32). Workgroup: 64 invocations.
#include "common.wgsl"

const LOG: bool = {{LOG}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let outer = params.outer;
  let C = params.C;
  let inner = params.inner;
  let j = flat_id(gid, nwg, 64u);
  if (j >= outer * inner) { return; }
  let base = (j / inner) * C * inner + j % inner;
  var s = 0.0;
  for (var c = 0u; c < C; c++) {
    let k = base + c * inner;
    s += select(G[k] * Y[k], G[k], LOG);
  }
  for (var c = 0u; c < C; c++) {
    let k = base + c * inner;
    if (LOG) { DX[k] = (G[k] - exp(Y[k]) * s) * params.scale; } else { DX[k] = Y[k] * (G[k] - s) * params.scale; }
  }
}
