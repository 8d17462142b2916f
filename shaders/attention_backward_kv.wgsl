// Fused attention backward, part 2 of 2: per key row j, summing over the query rows i that see it
// (i >= j when causal) in order (deterministic, no atomics), with P_ij = exp(s_ij - lse_i) recomputed:
//   dV_j = sum_i P_ij dO_i,    dK_j = scale * sum_i P_ij (dO_i . v_j - Dl_i) q_i
// Params: BH, T, D, scale (f32), causal (0/1). Bindings: 1 Q, 2 K, 3 V, 4 dO, 5 LSE, 6 Dl, 7 dK, 8 dV.
// Workgroup: 64 invocations, one key row each. D <= 128, compiled in.
#include "common.wgsl"
#include "attention_head.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let BH = att_bh();
  let T = att_t();
  let scale = att_scale();
  let causal = att_causal();
  let row = flat_id(gid, nwg, 64u); // (bh, j)
  if (row >= BH * T) { return; }
  let j = row % T;
  let bh = row / T;
  let base = bh * T * D;
  var k: array<VD, D>;
  var v: array<VD, D>;
  var dk: array<VD, D>;
  var dv: array<VD, D>;
  for (var d = 0u; d < D; d++) {
    k[d] = K[row * D + d] * scale;
    v[d] = V[row * D + d];
    dk[d] = VD(0.0);
    dv[d] = VD(0.0);
  }
  let start = select(0u, j, causal);
  for (var i = start; i < T; i++) {
    let qi = base + i * D;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d++) {
      s += dotv(Q[qi + d], k[d]);
      dp += dotv(DO[qi + d], v[d]);
    }
    let p = exp(s - LSE[bh * T + i]);
    let ds = p * (dp - DL[bh * T + i]);
    for (var d = 0u; d < D; d++) {
      dv[d] += p * DO[qi + d];
      dk[d] += ds * Q[qi + d];
    }
  }
  for (var d = 0u; d < D; d++) {
    DK[row * D + d] = dk[d] * scale;
    DV[row * D + d] = dv[d];
  }
}
