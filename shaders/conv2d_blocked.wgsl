// conv2d forward, direct and register-blocked (the variant for CPU-like adapters when a group's output
// channels are not a multiple of 8: conv2d_block8x8.wgsl and conv2d_rows.wgsl take those), NCHW:
//   Y[n, o, oh, ow] = bias[o] + sum_{c < Cg, kh, kw} X[n, g*Cg + c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw] * W[o, c, kh, kw]
// with g = o / Og and taps outside the input reading 0 (zero padding). The input is read in place: no
// im2col buffer. Each invocation computes CB output channels (of one group) x 4 consecutive pixels of one
// output row, as CB vec4 accumulators in named registers (the ACC, MAD and ACCS defines from blockDefines in
// src/ops/conv.ts): per tap 4 input
// and CB weight loads feed 4*CB multiply-adds. Rows of taps above or below the input are skipped, and
// blocks whose taps all lie inside the row (most of them) load without bounds checks.
// Layout: X [N, C, H, W], W [O, Cg, KH, KW], Bias [O] (not read when BIAS is false), Y [N, O, OH, OW].
// Workgroup: WG invocations along (output row, 4-pixel block); y = channel blocks; z = sample (+ z0).
#include "common.wgsl"

const HAS_BIAS: bool = {{BIAS}};

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let OWB = (params.OW + 3u) / 4u;
  let oh = gid.x / OWB;
  let ow0 = (gid.x % OWB) * 4u;
  let o0 = gid.y * {{CB}}u;
  let n = gid.z + params.z0; // z0: the first sample of this dispatch (src/runtime.ts runBatches)
  if (oh >= params.OH || o0 >= params.O) { return; }
  let Cg = params.C / params.G;
  let taps = params.KH * params.KW;
  let st = Cg * taps; // weight stride between output channels
  let g = o0 / (params.O / params.G);
  let W = i32(params.W);
  // the block's columns (past OW clamped: computed, dropped at the store) and their first tap
  let ow = min(vec4<u32>(ow0, ow0 + 1u, ow0 + 2u, ow0 + 3u), vec4<u32>(params.OW - 1u));
  let iw0 = vec4<i32>(ow * params.sw) - vec4<i32>(i32(params.pw));
  let inside = iw0.x >= 0 && iw0.w + i32((params.KW - 1u) * params.dw) < W;
  {{ACC}}
  for (var c = 0u; c < Cg; c++) {
    let plane = (n * params.C + g * Cg + c) * params.H;
    for (var kh = 0u; kh < params.KH; kh++) {
      let ih = i32(oh * params.sh + kh * params.dh) - i32(params.ph);
      if (ih < 0 || ih >= i32(params.H)) { continue; }
      let row = (plane + u32(ih)) * params.W;
      var wi = (o0 * Cg + c) * taps + kh * params.KW;
      for (var kw = 0u; kw < params.KW; kw++) {
        let iw = iw0 + vec4<i32>(i32(kw * params.dw));
        var xv: vec4<f32>;
        if (inside) {
          let at = vec4<u32>(iw) + vec4<u32>(row);
          xv = vec4<f32>(X[at.x], X[at.y], X[at.z], X[at.w]);
        } else {
          let ok = (iw >= vec4<i32>(0)) & (iw < vec4<i32>(W));
          let at = vec4<u32>(select(vec4<i32>(0), iw, ok)) + vec4<u32>(row);
          xv = select(vec4<f32>(0.0), vec4<f32>(X[at.x], X[at.y], X[at.z], X[at.w]), ok);
        }
        {{MAD}}
        wi++;
      }
    }
  }
  let accs = {{ACCS}};
  for (var j = 0u; j < {{CB}}u; j++) {
    let o = o0 + j;
    var y = accs[j];
    if (HAS_BIAS) { y += vec4<f32>(Bias[o]); }
    let base = ((n * params.O + o) * params.OH + oh) * params.OW;
    Y[base + ow0] = y.x;
    if (ow0 + 1u < params.OW) { Y[base + ow0 + 1u] = y.y; }
    if (ow0 + 2u < params.OW) { Y[base + ow0 + 2u] = y.z; }
    if (ow0 + 3u < params.OW) { Y[base + ow0 + 3u] = y.w; }
  }
}
