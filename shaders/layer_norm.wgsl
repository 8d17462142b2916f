// Layer norm over the last axis, forward: for each row x of length D,
//   mean = sum(x)/D,  rstd = 1/sqrt(sum((x - mean)^2)/D + eps),  y = (x - mean) * rstd * w + b
// and mean, rstd are saved for backward. Two passes over the row (the variance from centred values, not
// E[x^2] - mean^2, which cancels badly), the second also correcting the mean (centred_moments.wgsl).
// Params: rows, D, eps (f32). Bindings: 1 x [rows, D], 2 w [D], 3 b [D], 4 y, 5 mean [rows], 6 rstd [rows].
// Workgroup: 64 invocations, one row each (no barriers: good on CPU-like adapters, fine for small D on GPUs).
#include "common.wgsl"
#include "centred_moments.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = params.rows;
  let D = params.D;
  let row = flat_id(gid, nwg, 64u);
  if (row >= rows) { return; }
  let base = row * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) { s += X[base + d]; }
  let m0 = s / f32(D);
  var v = 0.0;
  var off = 0.0;
  for (var d = 0u; d < D; d++) {
    let c = X[base + d] - m0;
    v += c * c;
    off += c;
  }
  let mv = centred_moments(m0, v, off, f32(D));
  let mean = mv.x;
  let rstd = 1.0 / sqrt(mv.y + params.eps);
  for (var d = 0u; d < D; d++) { Y[base + d] = (X[base + d] - mean) * rstd * W[d] + Bias[d]; }
  MEAN[row] = mean;
  RSTD[row] = rstd;
}
