// Fused attention backward, part 1 of 2: per query row i, with the probabilities recomputed from the saved
// log-sum-exp, P_ij = exp(s_ij - lse_i), s_ij = scale q_i.k_j (T x T never stored):
//   Dl_i = dO_i . O_i        (saved for part 2)
//   dS_ij = P_ij (dO_i . v_j - Dl_i),    dQ_i = scale * sum_j dS_ij k_j
// Params: BH, T, D, scale (f32), causal (0/1). Bindings: 1 Q, 2 K, 3 V, 4 O, 5 dO, 6 LSE, 7 dQ, 8 Dl.
// Workgroup: 64 invocations, one query row each. D <= 128, compiled in.
#include "common.wgsl"
#include "attention_head.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let BH = att_bh();
  let T = att_t();
  let scale = att_scale();
  let causal = att_causal();
  let row = flat_id(gid, nwg, 64u);
  if (row >= BH * T) { return; }
  let i = row % T;
  let base = (row / T) * T * D;
  var q: array<VD, D>;
  var g: array<VD, D>;
  var dq: array<VD, D>;
  var dl = 0.0;
  for (var d = 0u; d < D; d++) {
    q[d] = Q[row * D + d] * scale;
    g[d] = DO[row * D + d];
    dl += dotv(g[d], O[row * D + d]);
    dq[d] = VD(0.0);
  }
  let lse = LSE[row];
  let end = select(T, i + 1u, causal);
  for (var j = 0u; j < end; j++) {
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d++) {
      s += dotv(q[d], K[base + j * D + d]);
      dp += dotv(g[d], V[base + j * D + d]);
    }
    let ds = exp(s - lse) * (dp - dl);
    for (var d = 0u; d < D; d++) { dq[d] += ds * K[base + j * D + d]; }
  }
  for (var d = 0u; d < D; d++) { DQ[row * D + d] = dq[d] * scale; }
  DL[row] = dl;
}
