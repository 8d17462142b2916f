// conv2d backward to the input (a transposed convolution), direct and register-blocked, NCHW:
//   dX[n, c, ih, iw] = sum_{o in c's group, kh, kw} G[n, o, oh, ow] * W[o, c - g*Cg, kh, kw]
// over the taps where oh = (ih + ph - kh*dh) / sh and ow = (iw + pw - kw*dw) / sw divide exactly and lie in
// the output. Every element is written by one invocation, in a fixed order (no atomics): deterministic.
// Each invocation computes CB input channels (of one group) x 4 consecutive input pixels.
// Layout: G [N, O, OH, OW], W [O, Cg, KH, KW], DX [N, C, H, W].
// Workgroup: WG invocations along pixel blocks; y = channel blocks; z = sample (+ z0).
#include "common.wgsl"

const CB: u32 = {{CB}}u;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let HW = params.H * params.W;
  let q0 = gid.x * 4u;
  let c0 = gid.y * CB;
  let n = gid.z + params.z0; // z0: the first sample of this dispatch (src/runtime.ts runBatches)
  if (q0 >= HW || c0 >= params.C) { return; }
  let Cg = params.C / params.G;
  let Og = params.O / params.G;
  let g = c0 / Cg;
  let taps = params.KH * params.KW;
  let q = min(vec4<u32>(q0, q0 + 1u, q0 + 2u, q0 + 3u), vec4<u32>(HW - 1u));
  let ih = vec4<i32>(q / params.W) + vec4<i32>(i32(params.ph));
  let iw = vec4<i32>(q % params.W) + vec4<i32>(i32(params.pw));
  let sh = vec4<i32>(i32(params.sh));
  let sw = vec4<i32>(i32(params.sw));
  let P = params.OH * params.OW;
  var acc: array<vec4<f32>, CB>;
  for (var kh = 0u; kh < params.KH; kh++) {
    let th = ih - vec4<i32>(i32(kh * params.dh));
    let oh = th / sh;
    let rowOk = (th >= vec4<i32>(0)) & (th % sh == vec4<i32>(0)) & (oh < vec4<i32>(i32(params.OH)));
    for (var kw = 0u; kw < params.KW; kw++) {
      let tw = iw - vec4<i32>(i32(kw * params.dw));
      let ow = tw / sw;
      let ok = rowOk & (tw >= vec4<i32>(0)) & (tw % sw == vec4<i32>(0)) & (ow < vec4<i32>(i32(params.OW)));
      let at = vec4<u32>(select(vec4<i32>(0), oh * i32(params.OW) + ow, ok));
      for (var o = g * Og; o < (g + 1u) * Og; o++) {
        let base = (n * params.O + o) * P;
        let gv = select(vec4<f32>(0.0), vec4<f32>(Gy[base + at.x], Gy[base + at.y], Gy[base + at.z], Gy[base + at.w]), ok);
        let wi = (o * Cg + c0 - g * Cg) * taps + kh * params.KW + kw;
        for (var j = 0u; j < CB; j++) { acc[j] += gv * Wt[wi + j * taps]; }
      }
    }
  }
  for (var j = 0u; j < CB; j++) {
    let base = (n * params.C + c0 + j) * HW;
    DX[base + q0] = acc[j].x;
    if (q0 + 1u < HW) { DX[base + q0 + 1u] = acc[j].y; }
    if (q0 + 2u < HW) { DX[base + q0 + 2u] = acc[j].z; }
    if (q0 + 3u < HW) { DX[base + q0 + 3u] = acc[j].w; }
  }
}
