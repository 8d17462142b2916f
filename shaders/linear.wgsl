// Fused linear layer: Y = act(X W^T + b) for X [M, K], W [N, K] (PyTorch's layout), b [N], in one
// dispatch; PRE (written when SAVE_PRE) keeps X W^T + b for the backward of GELU.
// Register-blocked like the matmuls: each invocation computes a 4x4 block of Y. With VEC4 (K a multiple
// of 4) rows of X and W are read as vec4 along K, 16 dot products per step; otherwise one k at a time.
// Rows and columns past the edge are clamped for loading and dropped at the store.
// ACT: 0 none, 1 relu, 2 gelu. Params: M, N, K. Bindings: 1 X, 2 W, 3 b, 4 Y, 5 PRE.
// Workgroup: 8x8 invocations = a 32x32 tile of Y.
#include "common.wgsl"
#include "math.wgsl"

const VEC4: bool = {{VEC4}};
const ACT: u32 = {{ACT}}u;
const SAVE_PRE: bool = {{SAVE_PRE}};

@group(0) @binding(1) var<storage, read> X: array<{{XTYPE}}>;
@group(0) @binding(2) var<storage, read> W: array<{{XTYPE}}>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
@group(0) @binding(5) var<storage, read_write> PRE: array<f32>;

fn act(v: f32) -> f32 {
  if (ACT == 1u) { return max(v, 0.0); }
  if (ACT == 2u) { return gelu(v); }
  return v;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n0 >= N || m0 >= M) { return; }
  let rows = vec4<u32>(min(m0, M - 1u), min(m0 + 1u, M - 1u), min(m0 + 2u, M - 1u), min(m0 + 3u, M - 1u));
  let cols = vec4<u32>(min(n0, N - 1u), min(n0 + 1u, N - 1u), min(n0 + 2u, N - 1u), min(n0 + 3u, N - 1u));
  var acc: array<vec4<f32>, 4>;
  let KV = select(K, K / 4u, VEC4);
  for (var k = 0u; k < KV; k++) {
    let w0 = W[cols.x * KV + k];
    let w1 = W[cols.y * KV + k];
    let w2 = W[cols.z * KV + k];
    let w3 = W[cols.w * KV + k];
    for (var i = 0u; i < 4u; i++) {
      let x = X[rows[i] * KV + k];
      acc[i] += vec4<f32>(dot4(x, w0), dot4(x, w1), dot4(x, w2), dot4(x, w3));
    }
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + j;
      if (n < N) {
        let pre = acc[i][j] + Bias[n];
        Y[m * N + n] = act(pre);
        if (SAVE_PRE) { PRE[m * N + n] = pre; }
      }
    }
  }
}

fn dot4(a: {{XTYPE}}, b: {{XTYPE}}) -> f32 {
  {{DOT}}
}
