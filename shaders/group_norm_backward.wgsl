// Group norm (and RMS norm) backward in one dispatch with two kinds of invocation (no atomics):
//   invocation r < N*G: the row's input gradient, with xhat = (X - mean) * rstd, gh = G * Wt[c], over the row's L:
//       group norm: DX = rstd * (gh - mean(gh) - xhat * mean(gh * xhat));  RMS: DX = rstd * (gh - xhat * mean(gh * xhat))
//   invocation N*G + c (c < G*Cg): the parameter gradients of channel c, summed over n and s in order:
//       DW[c] = sum G * xhat,  DB[c] = sum G (unused for RMS)
// Layout as group_norm.wgsl. Workgroup: 64 invocations.
#include "common.wgsl"

const RMS: bool = {{RMS}};

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = flat_id(gid, nwg, 64u);
  let rows = params.N * params.G;
  let L = params.Cg * params.S;
  if (j < rows) {
    let base = j * L;
    let mean = MEAN[j];
    let rstd = RSTD[j];
    let c0 = (j % params.G) * params.Cg;
    var s1 = 0.0;
    var s2 = 0.0;
    for (var e = 0u; e < L; e++) {
      let gh = G[base + e] * Wt[c0 + e / params.S];
      s1 += gh;
      s2 += gh * (X[base + e] - mean) * rstd;
    }
    let m1 = select(s1 / f32(L), 0.0, RMS);
    let m2 = s2 / f32(L);
    for (var e = 0u; e < L; e++) {
      let xhat = (X[base + e] - mean) * rstd;
      DX[base + e] = rstd * (G[base + e] * Wt[c0 + e / params.S] - m1 - xhat * m2);
    }
  } else if (j < rows + params.G * params.Cg) {
    let c = j - rows;
    let g = c / params.Cg;
    let cg = c % params.Cg;
    var dw = 0.0;
    var db = 0.0;
    for (var n = 0u; n < params.N; n++) {
      let r = n * params.G + g;
      let base = (r * params.Cg + cg) * params.S;
      for (var s = 0u; s < params.S; s++) {
        let gv = G[base + s];
        dw += gv * (X[base + s] - MEAN[r]) * RSTD[r];
        db += gv;
      }
    }
    DW[c] = dw;
    DB[c] = db;
  }
}
