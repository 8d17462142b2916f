// Resize (F.interpolate, ONNX Resize) along the last two axes, separable, by precomputed taps:
//   Y[p, oh, ow] = sum over a < KH, b < KW of wh(oh, a) ww(ow, b) X[p, ih(oh, a), iw(ow, b)]
// The taps (input index and weight of each of an output position's K nearest inputs: 1 nearest, 2 linear,
// 4 cubic) are computed once on the host from the mode and coordinate transformation (src/ops/resize.ts),
// so every mode and convention is the same kernel. TH holds per oh its KH indices then its KH weights (f32
// bits); TW likewise per ow. A 1-D resize has H = OH = 1 and one tap of weight 1.
// Layout: X [planes, H, W], Y [planes, OH, OW]. Workgroup: 64 invocations, one output element each.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 64u);
  let per = params.OH * params.OW;
  if (e >= params.planes * per) { return; }
  let plane = e / per;
  let oh = (e % per) / params.OW;
  let ow = e % params.OW;
  let KH = params.KH;
  let KW = params.KW;
  let base = plane * params.H * params.W;
  var acc = 0.0;
  for (var a = 0u; a < KH; a++) {
    let ih = TH[oh * 2u * KH + a];
    let wh = bitcast<f32>(TH[oh * 2u * KH + KH + a]);
    var row = 0.0;
    for (var b = 0u; b < KW; b++) {
      row += bitcast<f32>(TW[ow * 2u * KW + KW + b]) * X[base + ih * params.W + TW[ow * 2u * KW + b]];
    }
    acc += wh * row;
  }
  Y[e] = acc;
}
