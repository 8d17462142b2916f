// Shared by the 8x8 register-blocked conv2d kernels (conv2d_block8x8.wgsl, conv2d_rows.wgsl): the block of
// 8 pixels x 8 output channels as named vec4 registers (a dynamically indexed local array can end up in
// memory), its multiply-add and its store, the padded column loads, and which block an invocation owns. Reads params and X, Bias, Y.

struct Acc8x8 {
  p0_0: vec4<f32>, p0_1: vec4<f32>, p1_0: vec4<f32>, p1_1: vec4<f32>,
  p2_0: vec4<f32>, p2_1: vec4<f32>, p3_0: vec4<f32>, p3_1: vec4<f32>,
  p4_0: vec4<f32>, p4_1: vec4<f32>, p5_0: vec4<f32>, p5_1: vec4<f32>,
  p6_0: vec4<f32>, p6_1: vec4<f32>, p7_0: vec4<f32>, p7_1: vec4<f32>,
}

// Which block an invocation owns: blocks of (sample, output row, 8 pixels) are flattened over x (and z past
// 65535 workgroups), so that small images still fill whole workgroups; y is the block of 8 output channels.
struct Block8 { n: u32, oh: u32, ow0: u32, o0: u32, inside: bool }

fn block8_at(gid: vec3<u32>, nwg: vec3<u32>, wg: u32) -> Block8 {
  let OWB = (params.OW + 7u) / 8u;
  let item = gid.x + gid.z * nwg.x * wg;
  let n = item / (params.OH * OWB);
  let o0 = gid.y * 8u;
  return Block8(n, (item / OWB) % params.OH, (item % OWB) * 8u, o0, n < params.N && o0 < params.O);
}

// The columns iw of four pixels' taps, clamped into the row, and 1 where they lie inside it (0: padding).
struct Cols { at: vec4<u32>, mask: vec4<f32> }

fn columns(iw: vec4<i32>) -> Cols {
  let ok = (iw >= vec4<i32>(0)) & (iw < vec4<i32>(i32(params.W)));
  return Cols(vec4<u32>(select(vec4<i32>(0), iw, ok)), select(vec4<f32>(0.0), vec4<f32>(1.0), ok));
}

fn load4(row: u32, c: Cols) -> vec4<f32> {
  let at = c.at + vec4<u32>(row);
  return vec4<f32>(X[at.x], X[at.y], X[at.z], X[at.w]) * c.mask;
}

// acc (8 pixels x 8 channels) += the inputs of pixels 0..3 (xa) and 4..7 (xb) times channels 0..3 (w0), 4..7 (w1)
fn mad8x8(a: ptr<function, Acc8x8>, xa: vec4<f32>, xb: vec4<f32>, w0: vec4<f32>, w1: vec4<f32>) {
  (*a).p0_0 += xa.x * w0; (*a).p0_1 += xa.x * w1; (*a).p1_0 += xa.y * w0; (*a).p1_1 += xa.y * w1;
  (*a).p2_0 += xa.z * w0; (*a).p2_1 += xa.z * w1; (*a).p3_0 += xa.w * w0; (*a).p3_1 += xa.w * w1;
  (*a).p4_0 += xb.x * w0; (*a).p4_1 += xb.x * w1; (*a).p5_0 += xb.y * w0; (*a).p5_1 += xb.y * w1;
  (*a).p6_0 += xb.z * w0; (*a).p6_1 += xb.z * w1; (*a).p7_0 += xb.w * w0; (*a).p7_1 += xb.w * w1;
}

// Writes the block (plus the bias) to Y[n, o0 .. o0+7, oh, ow0 .. ow0+7], dropping pixels past OW.
fn store8x8(acc: Acc8x8, n: u32, oh: u32, ow0: u32, o0: u32, hasBias: bool) {
  var b0 = vec4<f32>(0.0);
  var b1 = vec4<f32>(0.0);
  if (hasBias) {
    b0 = vec4<f32>(Bias[o0], Bias[o0 + 1u], Bias[o0 + 2u], Bias[o0 + 3u]);
    b1 = vec4<f32>(Bias[o0 + 4u], Bias[o0 + 5u], Bias[o0 + 6u], Bias[o0 + 7u]);
  }
  let px = array<vec4<f32>, 16>(acc.p0_0, acc.p0_1, acc.p1_0, acc.p1_1, acc.p2_0, acc.p2_1, acc.p3_0, acc.p3_1, acc.p4_0, acc.p4_1, acc.p5_0, acc.p5_1, acc.p6_0, acc.p6_1, acc.p7_0, acc.p7_1);
  let P = params.OH * params.OW;
  let base = (n * params.O + o0) * P + oh * params.OW;
  for (var p = 0u; p < 8u; p++) {
    let ow = ow0 + p;
    if (ow >= params.OW) { break; }
    let lo = px[2u * p] + b0;
    let hi = px[2u * p + 1u] + b1;
    let at = base + ow;
    Y[at] = lo.x; Y[at + P] = lo.y; Y[at + 2u * P] = lo.z; Y[at + 3u * P] = lo.w;
    Y[at + 4u * P] = hi.x; Y[at + 5u * P] = hi.y; Y[at + 6u * P] = hi.z; Y[at + 7u * P] = hi.w;
  }
}
