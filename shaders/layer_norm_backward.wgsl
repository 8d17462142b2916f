// Layer norm backward in one dispatch with two kinds of invocation (deterministic, no atomics):
//   invocation r < rows: the row's input gradient, with xhat = (x - mean) * rstd and gh = g * w:
//       dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat))
//   invocation rows + d (d < D): the parameter gradients of column d, summed over rows in order:
//       dw[d] = sum_r g[r, d] * xhat[r, d],   db[d] = sum_r g[r, d]
// Params: rows, D. Bindings: 1 x, 2 w, 3 g, 4 mean, 5 rstd, 6 dx, 7 dw [D], 8 db [D].
// Workgroup: 64 invocations.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let rows = params.rows;
  let D = params.D;
  let j = flat_id(gid, nwg, 64u);
  if (j < rows) {
    let base = j * D;
    let mean = MEAN[j];
    let rstd = RSTD[j];
    var s1 = 0.0;
    var s2 = 0.0;
    for (var d = 0u; d < D; d++) {
      let gh = G[base + d] * W[d];
      s1 += gh;
      s2 += gh * (X[base + d] - mean) * rstd;
    }
    let m1 = s1 / f32(D);
    let m2 = s2 / f32(D);
    for (var d = 0u; d < D; d++) {
      let xhat = (X[base + d] - mean) * rstd;
      DX[base + d] = rstd * (G[base + d] * W[d] - m1 - xhat * m2);
    }
  } else if (j < rows + D) {
    let d = j - rows;
    var dw = 0.0;
    var db = 0.0;
    for (var r = 0u; r < rows; r++) {
      let g = G[r * D + d];
      dw += g * (X[r * D + d] - MEAN[r]) * RSTD[r];
      db += g;
    }
    DW[d] = dw;
    DB[d] = db;
  }
}
