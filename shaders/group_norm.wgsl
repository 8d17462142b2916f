// Group norm (and RMS norm) forward, one invocation per row: x viewed as [N, G, Cg, S] has N*G rows of
// L = Cg*S contiguous elements; channel c = g*Cg + (e / S) of element e of row (n, g).
//   group norm: Y = (X - mean_row) * rstd_row * Wt[c] + Bias[c], rstd = 1 / sqrt(biased variance + eps)
//   RMS norm (RMS = true; G = 1, S = 1, Cg = the last axis):  Y = X * rstd_row * Wt[c], rstd = 1 / sqrt(mean(X^2) + eps)
// Two passes, the second also correcting the mean (centred_moments.wgsl). Saves MEAN (0 for RMS) and RSTD per row for backward. Layout: X, Y [N*G*L]; Wt, Bias [G*Cg]; MEAN, RSTD [N*G].
// Workgroup: 64 invocations.
#include "common.wgsl"
#include "centred_moments.wgsl"

const RMS: bool = {{RMS}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_id(gid, nwg, 64u);
  if (r >= params.N * params.G) { return; }
  let L = params.Cg * params.S;
  let base = r * L;
  var mean = 0.0;
  if (!RMS) {
    var total = 0.0;
    for (var e = 0u; e < L; e++) { total += X[base + e]; }
    mean = total / f32(L);
  }
  var sq = 0.0;
  var off = 0.0;
  for (var e = 0u; e < L; e++) {
    let d = X[base + e] - mean;
    sq += d * d;
    off += d;
  }
  var variance = sq / f32(L); // RMS: the mean square
  if (!RMS) {
    let mv = centred_moments(mean, sq, off, f32(L));
    mean = mv.x;
    variance = mv.y;
  }
  let rstd = inverseSqrt(variance + params.eps);
  let c0 = (r % params.G) * params.Cg;
  for (var e = 0u; e < L; e++) {
    let c = c0 + e / params.S;
    var y = (X[base + e] - mean) * rstd * Wt[c];
    if (!RMS) { y += Bias[c]; }
    Y[base + e] = y;
  }
  MEAN[r] = mean;
  RSTD[r] = rstd;
}
