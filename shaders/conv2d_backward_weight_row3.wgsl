// conv2d backward to the weight for KW = 3 with stride 1 and dilation 1 along the row (any KH, vertical
// stride and dilation; groups with multiples of 8 output and 4 input channels), register-blocked, with the
// reduction split into chunks of output rows (fixed order; chunks summed afterwards: deterministic):
//   DW[s, o, c, kh, kw] = sum_{(n, oh) in chunk s, ow} G[n, o, oh, ow] * X[n, g*Cg + c, oh*sh - ph + kh*dh, ow - pw + kw]
// Each invocation owns 8 output channels x 4 input channels x the 3 taps of one kh (24 vec4 accumulators, over
// the output channels). Walking a row, the three taps of pixel ow read X at ow - pw + 0, 1, 2: a sliding
// window, so each pixel loads one new input per channel and the output gradient of 8 channels as two vec4
// (from GT, the gradient transposed to [N, OH, OW, O]): 6 vec4 loads for 96 multiply-adds.
// Layout: GT [N, OH, OW, O/4] vec4, X [N, C, H, W], DW [S, O, Cg, KH, 3]. Params: rows_per_chunk (of N*OH).
// Workgroup: WG invocations along (input-channel block, kh); y = blocks of 8 output channels; z = chunk.
#include "common.wgsl"

// One input channel's sliding window and its accumulators (8 output channels x 3 taps).
struct Lane { v0: f32, v1: f32, a0_0: vec4<f32>, a0_1: vec4<f32>, a1_0: vec4<f32>, a1_1: vec4<f32>, a2_0: vec4<f32>, a2_1: vec4<f32> }

// X at column iw of `row`, 0 outside the row.
fn x_at(row: u32, iw: i32) -> f32 {
  let ok = iw >= 0 && iw < i32(params.W);
  return select(0.0, X[row + u32(select(0, iw, ok))], ok);
}

// Slides the window by one pixel (v2 is the new input) and adds the three taps times the gradient g0, g1.
fn step(l: ptr<function, Lane>, v2: f32, g0: vec4<f32>, g1: vec4<f32>) {
  (*l).a0_0 += (*l).v0 * g0; (*l).a0_1 += (*l).v0 * g1;
  (*l).a1_0 += (*l).v1 * g0; (*l).a1_1 += (*l).v1 * g1;
  (*l).a2_0 += v2 * g0; (*l).a2_1 += v2 * g1;
  (*l).v0 = (*l).v1;
  (*l).v1 = v2;
}

// Writes one input channel's 8 x 3 sums to DW[s, o0 .. o0+7, c, kh, 0 .. 2].
fn store(l: Lane, s: u32, o0: u32, c: u32, kh: u32, Cg: u32) {
  let taps = params.KH * 3u;
  let k0 = c * taps + kh * 3u;
  let base = (s * params.O + o0) * Cg * taps + k0;
  let per = Cg * taps; // between output channels
  let t0 = array<vec4<f32>, 2>(l.a0_0, l.a0_1);
  let t1 = array<vec4<f32>, 2>(l.a1_0, l.a1_1);
  let t2 = array<vec4<f32>, 2>(l.a2_0, l.a2_1);
  for (var j = 0u; j < 8u; j++) {
    let at = base + j * per;
    DW[at] = t0[j / 4u][j % 4u];
    DW[at + 1u] = t1[j / 4u][j % 4u];
    DW[at + 2u] = t2[j / 4u][j % 4u];
  }
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let Cg = params.C / params.G;
  let cb = gid.x / params.KH; // block of 4 input channels
  let kh = gid.x % params.KH;
  let c0 = cb * 4u;
  let o0 = gid.y * 8u;
  let s = gid.z;
  if (c0 >= Cg || o0 >= params.O) { return; }
  let g = o0 / (params.O / params.G);
  let O4 = params.O / 4u;
  let rows = params.N * params.OH;
  let r0 = s * params.rows_per_chunk;
  let r1 = min(r0 + params.rows_per_chunk, rows);
  var l0: Lane; var l1: Lane; var l2: Lane; var l3: Lane;
  let HW = params.H * params.W;
  let pw = i32(params.pw);
  for (var r = r0; r < r1; r++) {
    let n = r / params.OH;
    let oh = r % params.OH;
    let ih = i32(oh * params.sh + kh * params.dh) - i32(params.ph);
    if (ih < 0 || ih >= i32(params.H)) { continue; }
    let row = (n * params.C + g * Cg + c0) * HW + u32(ih) * params.W;
    l0.v0 = x_at(row, -pw); l0.v1 = x_at(row, 1 - pw);
    l1.v0 = x_at(row + HW, -pw); l1.v1 = x_at(row + HW, 1 - pw);
    l2.v0 = x_at(row + 2u * HW, -pw); l2.v1 = x_at(row + 2u * HW, 1 - pw);
    l3.v0 = x_at(row + 3u * HW, -pw); l3.v1 = x_at(row + 3u * HW, 1 - pw);
    var gi = ((n * params.OH + oh) * params.OW) * O4 + o0 / 4u;
    for (var ow = 0u; ow < params.OW; ow++) {
      let g0 = GT[gi];
      let g1 = GT[gi + 1u];
      let iw = i32(ow) + 2 - pw;
      step(&l0, x_at(row, iw), g0, g1);
      step(&l1, x_at(row + HW, iw), g0, g1);
      step(&l2, x_at(row + 2u * HW, iw), g0, g1);
      step(&l3, x_at(row + 3u * HW, iw), g0, g1);
      gi += O4;
    }
  }
  store(l0, s, o0, c0, kh, Cg);
  store(l1, s, o0, c0 + 1u, kh, Cg);
  store(l2, s, o0, c0 + 2u, kh, Cg);
  store(l3, s, o0, c0 + 3u, kh, Cg);
}
