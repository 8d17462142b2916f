// Fused linear loss, backward of both strategies where the logits are not kept: the gradient of one chunk
// of rows, dZ = g scale [(1 - eps) coef (p - onehot(y)) + eps (p - 1/C)] with p = exp(z - lse), the
// logits z recomputed 16x8 at a time in registers (linear_block.wgsl) and only the gradient written.
// coef and lse come from the forward; ignored rows get zeros. dH and dW follow from dZ by matmul.
// Params: M (rows in the batch), C, K, row0, R (the chunk's rows), bias (0/1), per-row g (0: g[0] for
// every row), scale, eps, the ignored label.
// Bindings: 1 X [M, K], 2 W [C, K] (XTYPE along K), 3 b [C], 4 labels i32 [M], 5 log-sum-exp [M],
// 6 coef [M], 7 g ([M] or [1]), 8 dZ of the chunk [R, C].
// Workgroup: WG_X (8-column blocks) x WG_Y (16-row blocks).
#include "common.wgsl"
#include "math.wgsl"
#include "linear_block.wgsl"

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let C = params.C;
  let n0 = gid.x * 8u;
  let m0 = params.row0 + gid.y * 16u;
  let end = params.row0 + params.R;
  if (n0 >= C || m0 >= end) { return; }
  let KV = select(params.K, params.K / 4u, {{VEC4}});
  let rows = block_rows(xwt_block(m0, n0, end - 1u, C - 1u, KV));
  let invC = 1.0 / f32(C);
  for (var i = 0u; i < 16u; i++) {
    let m = m0 + i;
    if (m >= end) { break; }
    let ignored = Y[m] == params.ignore;
    let y = u32(clamp(Y[m], 0, i32(C) - 1));
    let g = G[select(0u, m, params.per_row != 0u)] * params.scale;
    let a = g * (1.0 - params.eps) * COEF[m];
    let b = g * params.eps;
    let lse = LSE[m];
    let out = (m - params.row0) * C;
    for (var j = 0u; j < 8u; j++) {
      let n = n0 + j;
      if (n >= C) { break; }
      let z = rows[2u * i + j / 4u][j % 4u] + select(0.0, Bias[n], params.bias != 0u);
      let p = exp(z - lse);
      let hot = select(0.0, 1.0, n == y);
      DZ[out + n] = select(a * (p - hot) + b * (p - invC), 0.0, ignored);
    }
  }
}
