// Resize's adjoint (its backward, and the op's own transpose), deterministic (a gather, no atomics):
//   DX[p, ih, iw] = sum over the (oh, wh) entries of ih and the (ow, ww) entries of iw of wh ww G[p, oh, ow]
// BH lists, per input row ih, the output rows whose taps read it: offsets [H + 1], then (oh, weight bits)
// pairs in increasing oh (a tap repeated by clamping at an edge is one entry, its weights summed); BW per
// input column likewise. Both made on the host from the forward's taps (src/ops/resize.ts).
// Layout: G [planes, OH, OW], DX [planes, H, W]. Workgroup: 64 invocations, one DX element each.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, 64u);
  let per = params.H * params.W;
  if (e >= params.planes * per) { return; }
  let plane = e / per;
  let ih = (e % per) / params.W;
  let iw = e % params.W;
  let base = plane * params.OH * params.OW;
  let hoff = params.H + 1u;
  let woff = params.W + 1u;
  var acc = 0.0;
  for (var a = BH[ih]; a < BH[ih + 1u]; a++) {
    let oh = BH[hoff + 2u * a];
    let wh = bitcast<f32>(BH[hoff + 2u * a + 1u]);
    var row = 0.0;
    for (var b = BW[iw]; b < BW[iw + 1u]; b++) {
      row += bitcast<f32>(BW[woff + 2u * b + 1u]) * G[base + oh * params.OW + BW[woff + 2u * b]];
    }
    acc += wh * row;
  }
  DX[e] = acc;
}
