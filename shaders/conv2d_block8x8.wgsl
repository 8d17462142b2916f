// conv2d forward, direct with an 8x8 register block (CPU-like adapters; groups with a multiple of 8 output
// channels), NCHW. The same sum as conv2d_blocked.wgsl:
//   Y[n, o, oh, ow] = bias[o] + sum_{c < Cg, kh, kw} X[n, g*Cg + c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw] * W[o, c, kh, kw]
// but each invocation computes 8 consecutive pixels of one output row x 8 output channels, with the channels
// as two vec4 per pixel: the weight is read transposed, WT [Cg, KH, KW, O] (k-major, O contiguous), so per tap
// 8 input loads and 2 vec4 weight loads feed 64 multiply-adds (loads, not arithmetic, bound SwiftShader).
// Accumulators are named variables: a dynamically indexed local array can end up in memory.
// Layout: X [N, C, H, W], WT [Cg*KH*KW, O/4] vec4, Bias [O] (not read when BIAS is false), Y [N, O, OH, OW].
// Workgroup: WG invocations along (sample, output row, 8-pixel block); y = blocks of 8 channels.
#include "common.wgsl"
#include "conv2d_acc8x8.wgsl"

const HAS_BIAS: bool = {{BIAS}};

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let blk = block8_at(gid, nwg, {{WG}}u);
  if (!blk.inside) { return; }
  let n = blk.n;
  let oh = blk.oh;
  let ow0 = blk.ow0;
  let o0 = blk.o0;
  let Cg = params.C / params.G;
  let g = o0 / (params.O / params.G);
  let O4 = params.O / 4u;
  // the block's columns (past OW clamped: computed, dropped at the store) and their first taps
  let last = params.OW - 1u;
  let iwa = vec4<i32>(min(vec4<u32>(ow0, ow0 + 1u, ow0 + 2u, ow0 + 3u), vec4<u32>(last)) * params.sw) - vec4<i32>(i32(params.pw));
  let iwb = vec4<i32>(min(vec4<u32>(ow0 + 4u, ow0 + 5u, ow0 + 6u, ow0 + 7u), vec4<u32>(last)) * params.sw) - vec4<i32>(i32(params.pw));
  var acc: Acc8x8;
  // kw outermost: the columns and padding masks of a tap column are the same for every channel and row.
  for (var kw = 0u; kw < params.KW; kw++) {
    let d = vec4<i32>(i32(kw * params.dw));
    let ca = columns(iwa + d);
    let cb = columns(iwb + d);
    for (var c = 0u; c < Cg; c++) {
      let plane = (n * params.C + g * Cg + c) * params.H;
      for (var kh = 0u; kh < params.KH; kh++) {
        let ih = i32(oh * params.sh + kh * params.dh) - i32(params.ph);
        if (ih < 0 || ih >= i32(params.H)) { continue; }
        let row = (plane + u32(ih)) * params.W;
        let wi = ((c * params.KH + kh) * params.KW + kw) * O4 + o0 / 4u;
        mad8x8(&acc, load4(row, ca), load4(row, cb), WT[wi], WT[wi + 1u]);
      }
    }
  }
  store8x8(acc, n, oh, ow0, o0, HAS_BIAS);
}
