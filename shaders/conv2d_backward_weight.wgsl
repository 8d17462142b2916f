// conv2d backward to the weight, register-blocked, with the reduction split into chunks of output rows
// (fixed order within a chunk, chunks summed afterwards by the sum kernel: deterministic, no atomics):
//   DW[s, o, c, kh, kw] = sum_{(n, oh) in chunk s, ow} G[n, o, oh, ow] * X[n, g*Cg + c, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw]
// Each invocation computes CB output channels (of one group) x 4 consecutive weight entries k = (c*KH + kh)*KW + kw
// of its chunk: per output pixel it loads CB gradients and 4 inputs for 4*CB multiply-adds.
// Params: rows_per_chunk (of the N*OH output rows). Layout: G [N, O, OH, OW], X [N, C, H, W], DW [S, O, Cg, KH, KW].
// Workgroup: WG invocations along weight-entry blocks; y = channel blocks; z = chunk.
#include "common.wgsl"

const CB: u32 = {{CB}}u;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let Cg = params.C / params.G;
  let taps = params.KH * params.KW;
  let K = Cg * taps;
  let k0 = gid.x * 4u;
  let o0 = gid.y * CB;
  let s = gid.z;
  if (k0 >= K || o0 >= params.O) { return; }
  let g = o0 / (params.O / params.G);
  // the four entries' input channel and tap offset (entries past K are clamped, computed and dropped)
  let k = min(vec4<u32>(k0, k0 + 1u, k0 + 2u, k0 + 3u), vec4<u32>(K - 1u));
  let c = k / taps;
  let offH = vec4<i32>((k % taps) / params.KW * params.dh) - vec4<i32>(i32(params.ph));
  let offW = vec4<i32>(k % params.KW * params.dw) - vec4<i32>(i32(params.pw));
  let rows = params.N * params.OH;
  let r0 = s * params.rows_per_chunk;
  let r1 = min(r0 + params.rows_per_chunk, rows);
  let P = params.OH * params.OW;
  let Hi = vec4<i32>(i32(params.H));
  let Wi = vec4<i32>(i32(params.W));
  var acc: array<vec4<f32>, CB>;
  for (var r = r0; r < r1; r++) {
    let n = r / params.OH;
    let oh = r % params.OH;
    let ih = vec4<i32>(i32(oh * params.sh)) + offH;
    let rowOk = (ih >= vec4<i32>(0)) & (ih < Hi);
    let planes = (vec4<u32>(n * params.C + g * Cg) + c) * params.H * params.W;
    let gBase = (n * params.O + o0) * P + oh * params.OW;
    for (var ow = 0u; ow < params.OW; ow++) {
      let iw = vec4<i32>(i32(ow * params.sw)) + offW;
      let ok = rowOk & (iw >= vec4<i32>(0)) & (iw < Wi);
      let at = planes + vec4<u32>(select(vec4<i32>(0), ih * Wi + iw, ok));
      let xv = select(vec4<f32>(0.0), vec4<f32>(X[at.x], X[at.y], X[at.z], X[at.w]), ok);
      for (var j = 0u; j < CB; j++) { acc[j] += Gy[gBase + j * P + ow] * xv; }
    }
  }
  for (var j = 0u; j < CB; j++) {
    let base = (s * params.O + o0 + j) * K;
    DW[base + k0] = acc[j].x;
    if (k0 + 1u < K) { DW[base + k0 + 1u] = acc[j].y; }
    if (k0 + 2u < K) { DW[base + k0 + 2u] = acc[j].z; }
    if (k0 + 3u < K) { DW[base + k0 + 3u] = acc[j].w; }
  }
}
