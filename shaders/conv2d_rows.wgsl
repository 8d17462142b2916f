// conv2d forward for the common convolutions, KW <= 5 with stride 1 and dilation 1 along the row (any KH,
// vertical stride and dilation), direct with an 8x8 register block (CPU-like adapters; groups with a multiple
// of 8 output channels), NCHW:
//   Y[n, o, oh, ow] = bias[o] + sum_{c < Cg, kh, kw < KW} X[n, g*Cg + c, oh*sh - ph + kh*dh, ow - pw + kw] * W[o, c, kh, kw]
// Each invocation computes 8 consecutive pixels of one output row x 8 output channels (two vec4 per pixel,
// from the weight read transposed, WT [Cg, KH, KW, O]). Per input row it loads the 12 values its 8 pixels'
// taps share once (instead of 8 per tap), then does the KW taps' multiply-adds from registers (KW is a
// define, so the tap loop and its shifts unroll).
// Layout: X [N, C, H, W], WT [Cg*KH*KW, O/4] vec4, Bias [O] (not read when BIAS is false), Y [N, O, OH, OW].
// Workgroup: WG invocations along (sample, output row, 8-pixel block); y = blocks of 8 channels.
#include "common.wgsl"
#include "conv2d_acc8x8.wgsl"

const HAS_BIAS: bool = {{BIAS}};
const KW: u32 = {{KW}}u;

// The inputs of pixels 0..3 and 4..7 at tap kw, from the 12 loaded values a, b, c.
fn shifted(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, kw: u32) -> array<vec4<f32>, 2> {
  switch kw {
    case 0u: { return array<vec4<f32>, 2>(a, b); }
    case 1u: { return array<vec4<f32>, 2>(vec4<f32>(a.yzw, b.x), vec4<f32>(b.yzw, c.x)); }
    case 2u: { return array<vec4<f32>, 2>(vec4<f32>(a.zw, b.xy), vec4<f32>(b.zw, c.xy)); }
    case 3u: { return array<vec4<f32>, 2>(vec4<f32>(a.w, b.xyz), vec4<f32>(b.w, c.xyz)); }
    default: { return array<vec4<f32>, 2>(b, c); }
  }
}

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
  // the 12 columns ow0 - pw .. ow0 - pw + 11 (7 + KW used), clamped into the row, with 0/1 padding masks
  let first = i32(ow0) - i32(params.pw);
  let ca = columns(vec4<i32>(first) + vec4<i32>(0, 1, 2, 3));
  let cb = columns(vec4<i32>(first) + vec4<i32>(4, 5, 6, 7));
  let cc = columns(vec4<i32>(first) + vec4<i32>(8, 9, 10, 11));
  var acc: Acc8x8;
  for (var c = 0u; c < Cg; c++) {
    let plane = (n * params.C + g * Cg + c) * params.H;
    for (var kh = 0u; kh < params.KH; kh++) {
      let ih = i32(oh * params.sh + kh * params.dh) - i32(params.ph);
      if (ih < 0 || ih >= i32(params.H)) { continue; }
      let row = (plane + u32(ih)) * params.W;
      let xa = load4(row, ca);
      let xb = load4(row, cb);
      let xc = load4(row, cc);
      let wi = (c * params.KH + kh) * KW * O4 + o0 / 4u;
      for (var kw = 0u; kw < KW; kw++) {
        let px = shifted(xa, xb, xc, kw); // tap kw reads the pixels' inputs shifted by kw
        mad8x8(&acc, px[0], px[1], WT[wi + kw * O4], WT[wi + kw * O4 + 1u]);
      }
    }
  }
  store8x8(acc, n, oh, ow0, o0, HAS_BIAS);
}
