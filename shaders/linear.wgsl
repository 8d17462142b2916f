// Fused linear layer: Y = act(X W^T + b) for X [M, K], W [N, K] (PyTorch's layout), b [N], in one
// dispatch; PRE (written when asked) keeps X W^T + b for the backward of GELU.
// Register-blocked like matmul_vec4.wgsl: each invocation computes an 8x8 block of Y. Rows of X and W
// are both contiguous along K, so with VEC4 (K a multiple of 4) each step of 4 along K loads 8 vec4 of X
// and 8 of W for 64 dot products; otherwise one k at a time. Rows and columns past the edge are clamped
// for loading and dropped at the store.
// Params: M, N, K, activation (0 none, 1 relu, 2 gelu), save PRE (0/1): run-time values, so that one
// compiled pipeline serves every layer. Bindings: 1 X, 2 W, 3 b, 4 Y, 5 PRE.
// Workgroup: 8x8 invocations = a 64x64 tile of Y.
#include "common.wgsl"
#include "math.wgsl"

@group(0) @binding(1) var<storage, read> X: array<{{XTYPE}}>;
@group(0) @binding(2) var<storage, read> W: array<{{XTYPE}}>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<storage, read_write> PRE: array<f32>;

fn dot1(a: {{XTYPE}}, b: {{XTYPE}}) -> f32 {
  {{DOT}}
}

// One row of X against four rows of W: four entries of a row of Y.
fn dots(x: {{XTYPE}}, w0: {{XTYPE}}, w1: {{XTYPE}}, w2: {{XTYPE}}, w3: {{XTYPE}}) -> vec4<f32> {
  return vec4<f32>(dot1(x, w0), dot1(x, w1), dot1(x, w2), dot1(x, w3));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let act = pu(3u);
  let savePre = pu(4u) != 0u;
  let n0 = gid.x * 8u;
  let m0 = gid.y * 8u;
  if (n0 >= N || m0 >= M) { return; }
  let KV = select(K, K / 4u, {{VEC4}});
  let lm = M - 1u;
  let ln = N - 1u;
  let px0 = vec4<u32>(m0, min(m0 + 1u, lm), min(m0 + 2u, lm), min(m0 + 3u, lm)) * KV;
  let px1 = vec4<u32>(min(m0 + 4u, lm), min(m0 + 5u, lm), min(m0 + 6u, lm), min(m0 + 7u, lm)) * KV;
  let pw0 = vec4<u32>(n0, min(n0 + 1u, ln), min(n0 + 2u, ln), min(n0 + 3u, ln)) * KV;
  let pw1 = vec4<u32>(min(n0 + 4u, ln), min(n0 + 5u, ln), min(n0 + 6u, ln), min(n0 + 7u, ln)) * KV;
  // Named accumulators, not an array: a dynamically indexed local array can end up in memory.
  var acc00 = vec4<f32>(0.0); var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0); var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0); var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0); var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0); var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0); var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0); var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0); var acc71 = vec4<f32>(0.0);
  for (var k = 0u; k < KV; k++) {
    let w0 = W[pw0.x + k]; let w1 = W[pw0.y + k]; let w2 = W[pw0.z + k]; let w3 = W[pw0.w + k];
    let w4 = W[pw1.x + k]; let w5 = W[pw1.y + k]; let w6 = W[pw1.z + k]; let w7 = W[pw1.w + k];
    let x0 = X[px0.x + k]; let x1 = X[px0.y + k]; let x2 = X[px0.z + k]; let x3 = X[px0.w + k];
    let x4 = X[px1.x + k]; let x5 = X[px1.y + k]; let x6 = X[px1.z + k]; let x7 = X[px1.w + k];
    acc00 += dots(x0, w0, w1, w2, w3); acc01 += dots(x0, w4, w5, w6, w7);
    acc10 += dots(x1, w0, w1, w2, w3); acc11 += dots(x1, w4, w5, w6, w7);
    acc20 += dots(x2, w0, w1, w2, w3); acc21 += dots(x2, w4, w5, w6, w7);
    acc30 += dots(x3, w0, w1, w2, w3); acc31 += dots(x3, w4, w5, w6, w7);
    acc40 += dots(x4, w0, w1, w2, w3); acc41 += dots(x4, w4, w5, w6, w7);
    acc50 += dots(x5, w0, w1, w2, w3); acc51 += dots(x5, w4, w5, w6, w7);
    acc60 += dots(x6, w0, w1, w2, w3); acc61 += dots(x6, w4, w5, w6, w7);
    acc70 += dots(x7, w0, w1, w2, w3); acc71 += dots(x7, w4, w5, w6, w7);
  }
  let acc = array<vec4<f32>, 16>(acc00, acc01, acc10, acc11, acc20, acc21, acc30, acc31, acc40, acc41, acc50, acc51, acc60, acc61, acc70, acc71);
  for (var i = 0u; i < 8u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let n = n0 + j;
      if (n >= N) { break; }
      let pre = acc[2u * i + j / 4u][j % 4u] + Bias[n];
      var y = pre;
      if (act == 1u) { y = max(pre, 0.0); }
      if (act == 2u) { y = gelu(pre); }
      Y[m * N + n] = y;
      if (savePre) { PRE[m * N + n] = pre; }
    }
  }
}
