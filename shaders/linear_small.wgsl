// Fused linear layer for small products: Y = act(X W^T + b) for X [M, K], W [N, K] (PyTorch's layout),
// b [N], one output element per invocation: Y[m, n] = act(sum_k X[m, k] W[n, k] + b[n]), summed in k order.
// Below 2^16 multiply-adds (src/ops/matmul.ts) linear.wgsl's 16x8 register block leaves most of its
// invocations idle: a tiny layer's whole output is one invocation's K x 128 products. Here M*N
// invocations do K each. PRE (when asked) keeps X W^T + b for GELU's backward.
// Also the layer with K = 0 (Y = act(b) on every row), at any M*N.
// Params: M, N, K, act (linear_act.wgsl), save_pre (0/1). Bindings: 1 X, 2 W, 3 Bias, 4 Y, 5 PRE, contiguous.
// Workgroup: 64 invocations, one output each, over a 2-D grid (flat_id).
#include "common.wgsl"
#include "linear_act.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 64u);
  let N = params.N; let K = params.K;
  if (i >= params.M * N) { return; }
  let m = i / N;
  let n = i - m * N;
  var s = 0.0;
  for (var k = 0u; k < K; k++) { s += X[m * K + k] * W[n * K + k]; }
  let pre = s + Bias[n];
  Y[i] = linear_act(params.act, pre);
  if (params.save_pre != 0u) { PRE[i] = pre; }
}
