// conv2d backward to the weight for KW <= 5 with stride 1 and dilation 1 along the row (any KH, vertical
// stride and dilation; groups with multiples of 8 output channels and LANES input channels), register-blocked,
// with the reduction split into chunks of output rows (fixed order; chunks summed afterwards: deterministic):
//   DW[s, o, c, kh, kw] = sum_{(n, oh) in chunk s, ow} G[n, o, oh, ow] * X[n, g*Cg + c, oh*sh - ph + kh*dh, ow - pw + kw]
// Each invocation owns 8 output channels x LANES input channels x the KW taps of one kh (vec4 accumulators
// over the output channels). Walking a row, the taps of pixel ow read X at ow - pw + 0 .. KW-1: a sliding
// window, so each pixel loads one new input per channel and the output gradient of its 8 channels as two
// vec4 (from GT, the gradient transposed to [N, OH, OW, O]). KW and LANES are defines (4 lanes up to KW 3,
// 2 above, to bound the registers): the tap and lane branches fold away.
// Layout: GT [N, OH, OW, O/4] vec4, X [N, C, H, W], DW [S, O, Cg, KH, KW]. Params: rows_per_chunk (of N*OH).
// Workgroup: WG invocations along (input-channel block, kh); y = blocks of 8 output channels; z = chunk.
#include "common.wgsl"

const KW: u32 = {{KW}}u;
const LANES: u32 = {{LANES}}u;

// One input channel's sliding window (the KW - 1 inputs before the newest) and its accumulators
// (8 output channels as two vec4, per tap).
struct Lane {
  w0: f32, w1: f32, w2: f32, w3: f32,
  a0_0: vec4<f32>, a0_1: vec4<f32>, a1_0: vec4<f32>, a1_1: vec4<f32>, a2_0: vec4<f32>, a2_1: vec4<f32>,
  a3_0: vec4<f32>, a3_1: vec4<f32>, a4_0: vec4<f32>, a4_1: vec4<f32>,
}

// X at column iw of `row`, 0 outside the row.
fn x_at(row: u32, iw: i32) -> f32 {
  let ok = iw >= 0 && iw < i32(params.W);
  return select(0.0, X[row + u32(select(0, iw, ok))], ok);
}

// The window before the row's first pixel: inputs at -pw .. KW - 2 - pw.
fn start(row: u32) -> Lane {
  var l: Lane;
  let pw = i32(params.pw);
  l.w0 = x_at(row, -pw);
  if (KW > 2u) { l.w1 = x_at(row, 1 - pw); }
  if (KW > 3u) { l.w2 = x_at(row, 2 - pw); }
  if (KW > 4u) { l.w3 = x_at(row, 3 - pw); }
  return l;
}

// Tap t of the window [w0 .. w(KW-2), v]: the taps' inputs for the current pixel, v the newest.
fn tap(l: ptr<function, Lane>, t: u32, v: f32) -> f32 {
  if (t == KW - 1u) { return v; }
  switch t {
    case 0u: { return (*l).w0; }
    case 1u: { return (*l).w1; }
    case 2u: { return (*l).w2; }
    default: { return (*l).w3; }
  }
}

// Adds every tap times the gradient g0, g1 of the current pixel, then slides the window by one (v enters).
fn step(l: ptr<function, Lane>, v: f32, g0: vec4<f32>, g1: vec4<f32>) {
  let t0 = tap(l, 0u, v);
  (*l).a0_0 += t0 * g0; (*l).a0_1 += t0 * g1;
  if (KW > 1u) { let t1 = tap(l, 1u, v); (*l).a1_0 += t1 * g0; (*l).a1_1 += t1 * g1; }
  if (KW > 2u) { let t2 = tap(l, 2u, v); (*l).a2_0 += t2 * g0; (*l).a2_1 += t2 * g1; }
  if (KW > 3u) { let t3 = tap(l, 3u, v); (*l).a3_0 += t3 * g0; (*l).a3_1 += t3 * g1; }
  if (KW > 4u) { (*l).a4_0 += v * g0; (*l).a4_1 += v * g1; }
  if (KW == 2u) { (*l).w0 = v; }
  if (KW == 3u) { (*l).w0 = (*l).w1; (*l).w1 = v; }
  if (KW == 4u) { (*l).w0 = (*l).w1; (*l).w1 = (*l).w2; (*l).w2 = v; }
  if (KW == 5u) { (*l).w0 = (*l).w1; (*l).w1 = (*l).w2; (*l).w2 = (*l).w3; (*l).w3 = v; }
}

// Writes one input channel's 8 x KW sums to DW[s, o0 .. o0+7, c, kh, 0 .. KW-1].
fn store(l: Lane, s: u32, o0: u32, c: u32, kh: u32, Cg: u32) {
  let taps = params.KH * KW;
  let base = (s * params.O + o0) * Cg * taps + c * taps + kh * KW;
  let per = Cg * taps; // between output channels
  let sums = array<vec4<f32>, 10>(l.a0_0, l.a0_1, l.a1_0, l.a1_1, l.a2_0, l.a2_1, l.a3_0, l.a3_1, l.a4_0, l.a4_1);
  for (var j = 0u; j < 8u; j++) {
    for (var t = 0u; t < KW; t++) { DW[base + j * per + t] = sums[2u * t + j / 4u][j % 4u]; }
  }
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let Cg = params.C / params.G;
  let cb = gid.x / params.KH; // block of LANES input channels
  let kh = gid.x % params.KH;
  let c0 = cb * LANES;
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
  let ahead = i32(KW) - 1 - i32(params.pw); // the newest input of pixel ow is at ow + ahead
  for (var r = r0; r < r1; r++) {
    let n = r / params.OH;
    let oh = r % params.OH;
    let ih = i32(oh * params.sh + kh * params.dh) - i32(params.ph);
    if (ih < 0 || ih >= i32(params.H)) { continue; }
    let row = (n * params.C + g * Cg + c0) * HW + u32(ih) * params.W;
    // each row restarts the windows and keeps the sums
    l0 = carry(l0, start(row));
    l1 = carry(l1, start(row + HW));
    if (LANES > 2u) { l2 = carry(l2, start(row + 2u * HW)); l3 = carry(l3, start(row + 3u * HW)); }
    var gi = ((n * params.OH + oh) * params.OW) * O4 + o0 / 4u;
    for (var ow = 0u; ow < params.OW; ow++) {
      let g0 = GT[gi];
      let g1 = GT[gi + 1u];
      let iw = i32(ow) + ahead;
      step(&l0, x_at(row, iw), g0, g1);
      step(&l1, x_at(row + HW, iw), g0, g1);
      if (LANES > 2u) {
        step(&l2, x_at(row + 2u * HW, iw), g0, g1);
        step(&l3, x_at(row + 3u * HW, iw), g0, g1);
      }
      gi += O4;
    }
  }
  store(l0, s, o0, c0, kh, Cg);
  store(l1, s, o0, c0 + 1u, kh, Cg);
  if (LANES > 2u) {
    store(l2, s, o0, c0 + 2u, kh, Cg);
    store(l3, s, o0, c0 + 3u, kh, Cg);
  }
}

// The accumulators of `sums` with the window of `fresh`.
fn carry(sums: Lane, fresh: Lane) -> Lane {
  var l = sums;
  l.w0 = fresh.w0; l.w1 = fresh.w1; l.w2 = fresh.w2; l.w3 = fresh.w3;
  return l;
}
