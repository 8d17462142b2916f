// Batch norm statistics, one invocation per channel c of x viewed as [N, C, S] (S = H*W, or 1 for [N, C]):
//   mode 0 (training): MEAN[c] = mean over (n, s), RSTD[c] = 1 / sqrt(biased variance + eps) (two passes,
//          the second also correcting the mean: centred_moments.wgsl)
//   mode 1 (training, running statistics): mode 0, then RM[c] = (1 - momentum) RM[c] + momentum mean and
//          RV[c] = (1 - momentum) RV[c] + momentum unbiased variance (n / (n - 1) times the biased), as PyTorch
//   mode 2 (eval): MEAN[c] = RM[c], RSTD[c] = 1 / sqrt(RV[c] + eps)
// Each channel is summed by one invocation in a fixed order: deterministic.
// Layout: X [N, C, S]; RM, RV, MEAN, RSTD [C]. Workgroup: 64 invocations.
#include "common.wgsl"
#include "centred_moments.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.C) { return; }
  if (params.mode == 2u) {
    MEAN[c] = RM[c];
    RSTD[c] = inverseSqrt(RV[c] + params.eps);
    return;
  }
  let S = params.S;
  let count = f32(params.N * S);
  var total = 0.0;
  for (var n = 0u; n < params.N; n++) {
    let base = (n * params.C + c) * S;
    for (var s = 0u; s < S; s++) { total += X[base + s]; }
  }
  let m0 = total / count;
  var sq = 0.0;
  var off = 0.0;
  for (var n = 0u; n < params.N; n++) {
    let base = (n * params.C + c) * S;
    for (var s = 0u; s < S; s++) {
      let d = X[base + s] - m0;
      sq += d * d;
      off += d;
    }
  }
  let mv = centred_moments(m0, sq, off, count);
  let mean = mv.x;
  let variance = mv.y;
  MEAN[c] = mean;
  RSTD[c] = inverseSqrt(variance + params.eps);
  if (params.mode == 1u) {
    let m = params.momentum;
    RM[c] = (1.0 - m) * RM[c] + m * mean;
    RV[c] = (1.0 - m) * RV[c] + m * variance * count / max(count - 1.0, 1.0);
  }
}
