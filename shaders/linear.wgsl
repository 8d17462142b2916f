// Fused linear layer: Y = act(X W^T + b) for X [M, K], W [N, K] (PyTorch's layout), b [N], in one
// dispatch; PRE (written when asked) keeps X W^T + b for the backward of GELU.
// Register-blocked like matmul_vec4.wgsl: each invocation computes a 16x8 block of Y (linear_block.wgsl). Rows of X and W
// are both contiguous along K, so with VEC4 (K a multiple of 4) each step of 4 along K loads 16 vec4 of X
// and 8 of W for 128 dot products; otherwise one k at a time. Rows and columns past the edge are clamped
// for loading and dropped at the store.
// Params: M, N, K, activation (linear_act.wgsl), save PRE (0/1): run-time values, so that one
// compiled pipeline serves every layer. Bindings: 1 X, 2 W, 3 b, 4 Y, 5 PRE.
// Workgroup: WG_X x WG_Y invocations (4x4 on CPU-like adapters, 8x8 on GPUs: see matmul_vec4.wgsl).
#include "common.wgsl"
#include "linear_act.wgsl"
#include "linear_block.wgsl"

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M; let N = params.N; let K = params.K;
  let act = params.act;
  let savePre = params.save_pre != 0u;
  let n0 = gid.x * 8u;
  let m0 = gid.y * 16u;
  if (n0 >= N || m0 >= M) { return; }
  let KV = select(K, K / 4u, {{VEC4}});
  let acc = xwt_block(m0, n0, M - 1u, N - 1u, KV);
  let rows = block_rows(acc);
  for (var i = 0u; i < 16u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let n = n0 + j;
      if (n >= N) { break; }
      let pre = rows[2u * i + j / 4u][j % 4u] + Bias[n];
      Y[m * N + n] = linear_act(act, pre);
      if (savePre) { PRE[m * N + n] = pre; }
    }
  }
}
