// conv2d forward as an implicit GEMM with workgroup-memory tiles (the variant for GPUs), NCHW. Per sample n
// and group g it is the product Y[o, p] = bias[o] + sum_k W[o, k] * X̂[k, p] of the group's weights
// [Og, K] (K = Cg*KH*KW, k = (c*KH + kh)*KW + kw, PyTorch's layout read as rows) and the virtual im2col matrix
// X̂[k, p] = X[n, g*Cg + c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw] (0 outside the input), which is never
// written: each tile of it is gathered from the input into workgroup memory. A 16x16 workgroup computes a
// 64x64 tile of Y (channels x pixels), each invocation a 4x4 block, staging 64x16 of W and 16x64 of X̂ per step.
// Layout: X [N, C, H, W], W [O, Cg, KH, KW], Bias [O] (not read when BIAS is false), Y [N, O, OH, OW].
// Workgroup: 16x16; x = pixel tiles, y = channel tiles, z = n*G + g (+ z0).
#include "common.wgsl"
#include "tile_64x64.wgsl"

const HAS_BIAS: bool = {{BIAS}};

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let G = params.G;
  let z = wid.z + params.z0; // z0: the first (sample, group) of this dispatch (src/runtime.ts runBatches)
  let n = z / G;
  let g = z % G;
  let Og = params.O / G;
  let Cg = params.C / G;
  let taps = params.KH * params.KW;
  let K = Cg * taps;
  let P = params.OH * params.OW;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let t = lid.y * 16u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = 0u; e < 4u; e++) {
      let i = t * 4u + e;
      let ar = i / TK;
      let gk = k0 + i % TK;
      let o = row0 + ar;
      As[ar][i % TK] = select(0.0, Wt[(g * Og + min(o, Og - 1u)) * K + min(gk, K - 1u)], o < Og && gk < K);
      let bk = k0 + i / TILE;
      let p = col0 + i % TILE;
      var v = 0.0;
      if (bk < K && p < P) {
        let c = bk / taps;
        let kh = (bk % taps) / params.KW;
        let kw = bk % params.KW;
        let ih = i32((p / params.OW) * params.sh + kh * params.dh) - i32(params.ph);
        let iw = i32((p % params.OW) * params.sw + kw * params.dw) - i32(params.pw);
        if (ih >= 0 && ih < i32(params.H) && iw >= 0 && iw < i32(params.W)) {
          v = X[((n * params.C + g * Cg + c) * params.H + u32(ih)) * params.W + u32(iw)];
        }
      }
      Bs[i / TILE][i % TILE] = v;
    }
    workgroupBarrier();
    tile_mad(&acc, lid);
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let ol = row0 + lid.y * 4u + i;
    if (ol >= Og) { break; }
    let o = g * Og + ol;
    var bias = 0.0;
    if (HAS_BIAS) { bias = Bias[o]; }
    for (var j = 0u; j < 4u; j++) {
      let p = col0 + lid.x * 4u + j;
      if (p < P) { Y[(n * params.O + o) * P + p] = acc[i][j] + bias; }
    }
  }
}
