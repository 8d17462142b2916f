// Fused attention forward, flash-style: O = softmax(Q K^T * scale [+ causal mask]) V for [BH, T, D]
// (contiguous, BH = batch * heads), never writing the T x T scores. One invocation per query row keeps
// its running max m, normaliser l and output accumulator in registers and streams the keys and values
// (online softmax: on a new maximum, l and acc are rescaled by exp(m_old - m_new)). Saves the row's
// log-sum-exp, lse = m + log(l), for backward. No workgroup memory: the variant for CPU-like adapters,
// where barriers cost more than staging saves. D <= 128, compiled in.
// Params: BH, T, D, scale (f32), causal (0/1). Bindings: 1 Q, 2 K, 3 V, 4 O, 5 LSE [BH, T].
// Workgroup: 64 invocations, one query row each.
#include "common.wgsl"
#include "attention_head.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let BH = att_bh();
  let T = att_t();
  let scale = att_scale();
  let causal = att_causal();
  let row = flat_id(gid, nwg, 64u); // (bh, i)
  if (row >= BH * T) { return; }
  let i = row % T;
  let base = (row / T) * T * D; // start of this (batch, head) in Q, K, V
  var q: array<VD, D>;
  var acc: array<VD, D>;
  for (var d = 0u; d < D; d++) {
    q[d] = Q[row * D + d] * scale;
    acc[d] = VD(0.0);
  }
  var m = NEG_BIG;
  var l = 0.0;
  let end = select(T, i + 1u, causal);
  for (var j = 0u; j < end; j++) {
    var s = 0.0;
    for (var d = 0u; d < D; d++) { s += dotv(q[d], K[base + j * D + d]); }
    if (s > m) {
      let corr = exp(m - s);
      l = l * corr;
      for (var d = 0u; d < D; d++) { acc[d] = acc[d] * corr; }
      m = s;
    }
    let p = exp(s - m);
    l += p;
    for (var d = 0u; d < D; d++) { acc[d] += p * V[base + j * D + d]; }
  }
  let inv = 1.0 / l;
  for (var d = 0u; d < D; d++) { O[row * D + d] = acc[d] * inv; }
  LSE[row] = m + log(l);
}
