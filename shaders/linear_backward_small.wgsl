// Backward of the fused linear layer for small products: all its gradients in one dispatch. With
// gz[m, n] = g * act'(.) (linear_act.wgsl, from G and the value the forward saved, S),
//   dX[m, k] = sum_n gz[m, n] W[n, k],   dW[n, k] = sum_m gz[m, n] X[m, k],   db[n] = sum_m gz[m, n],
// each summed in index order (deterministic). Invocations [0, nx) compute dX, the next nw dW, the next nb
// db; a count is 0 for a gradient no input needs. The unfused backward is four dispatches (gz, dX, dW, db),
// each about the cost of a whole tiny layer's work on SwiftShader; here each gz is recomputed by the K or N
// outputs that read it instead, which only small products (below 2^16 multiply-adds) can afford.
// Layout: X [M, K], W [N, K], G and S [M, N], DX [M, K], DW [N, K], DB [N], all contiguous.
// Params: M, N, K, act, nx, nw, nb. Bindings: 1 G, 2 S, 3 X, 4 W, 5 DX, 6 DW, 7 DB.
// Also the empty layers (M = 0: dW and db are 0; K = 0: db alone), at any size.
// Workgroup: 64 invocations over a 2-D grid (flat_id).
#include "common.wgsl"
#include "linear_act.wgsl"

fn gz(m: u32, n: u32) -> f32 {
  let i = m * params.N + n;
  return linear_act_grad(params.act, G[i], S[i]);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let M = params.M; let N = params.N; let K = params.K;
  var i = flat_id(gid, nwg, 64u);
  if (i < params.nx) {
    let m = i / K;
    let k = i - m * K;
    var s = 0.0;
    for (var n = 0u; n < N; n++) { s += gz(m, n) * W[n * K + k]; }
    DX[i] = s;
    return;
  }
  i -= params.nx;
  if (i < params.nw) {
    let n = i / K;
    let k = i - n * K;
    var s = 0.0;
    for (var m = 0u; m < M; m++) { s += gz(m, n) * X[m * K + k]; }
    DW[i] = s;
    return;
  }
  i -= params.nw;
  if (i < params.nb) {
    var s = 0.0;
    for (var m = 0u; m < M; m++) { s += gz(m, i); }
    DB[i] = s;
  }
}
