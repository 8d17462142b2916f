// The weight of a stride-1 convolution's input gradient, as the forward kernels read it: the input gradient
// is the convolution of the output gradient with the weight flipped in space and with in/out channels swapped
// per group, so
//   WF[k, c] = W[g*Og + o, c - g*Cg, KH-1-kh, KW-1-kw]  for k = (o*KH + kh)*KW + kw, o < Og, c < C, g = c / Cg
// Layout: W [O, Cg, KH, KW]; WF [Og*KH*KW, C] (C contiguous, as the transposed weight of conv2d_block8x8.wgsl).
// Workgroup: 64 invocations, one per element of WF.
#include "common.wgsl"

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, 64u);
  let taps = params.KH * params.KW;
  let C = params.G * params.Cg;
  let Og = params.O / params.G;
  if (i >= Og * taps * C) { return; }
  let k = i / C;
  let c = i % C;
  let g = c / params.Cg;
  let o = k / taps;
  let t = k % taps;
  WF[i] = Wt[((g * Og + o) * params.Cg + c % params.Cg) * taps + taps - 1u - t];
}
