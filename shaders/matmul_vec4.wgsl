// Batched matmul C[b] = A[b] @ B[b] for row-major A [batch?, M, K] and B [batch?, K, N] with K and N
// multiples of 4, read as vec4. Register-blocked for CPU-like adapters (SwiftShader): each invocation
// computes an 8x8 block of C (8 rows x 2 vec4 columns) in registers; per step of 4 along K it loads
// 8 vec4 of A and 8 vec4 of B for 256 multiply-adds. No workgroup memory (barriers cost more than they
// save there). Why 8x8: on SwiftShader the loads, not the arithmetic, bound this kernel, so bigger blocks
// win (at 512^2: 4x4 1.5, 8x8 2.4, 16x16 3.9 GFLOP/s), but the compile time of the unrolled body grows
// with them (100, 270, 630 ms) and the first training step pays it; 8x8 is the compromise.
// Rows past M and columns past N are clamped for loading and dropped at the store: no branch in the loop.
// Params: M, N, K, A batch stride, B batch stride (0 to broadcast), in elements.
// Workgroup: 8x8 invocations = a 64x64 tile of C; z = batch.
#include "common.wgsl"

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4<f32>>;

// acc += a.x * B row k + a.y * B row k+1 + ...: one row of A times four rows of a vec4 column of B.
fn mad4(acc: vec4<f32>, a: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
  return acc + a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let N4 = N / 4u;
  let K4 = K / 4u;
  let c0 = gid.x * 2u; // first vec4 column
  let m0 = gid.y * 8u;
  let b = gid.z;
  if (c0 >= N4 || m0 >= M) { return; }
  let aBase = b * pu(3u) / 4u;
  let last = M - 1u;
  let pa0 = vec4<u32>(m0, min(m0 + 1u, last), min(m0 + 2u, last), min(m0 + 3u, last)) * K4 + aBase;
  let pa1 = vec4<u32>(min(m0 + 4u, last), min(m0 + 5u, last), min(m0 + 6u, last), min(m0 + 7u, last)) * K4 + aBase;
  let c1 = min(c0 + 1u, N4 - 1u);
  var pb = b * pu(4u) / 4u;
  var acc00 = vec4<f32>(0.0); var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0); var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0); var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0); var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0); var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0); var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0); var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0); var acc71 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    // rows 4k .. 4k+3 of B at both vec4 columns
    let b00 = B[pb + c0]; let b01 = B[pb + c1];
    let b10 = B[pb + N4 + c0]; let b11 = B[pb + N4 + c1];
    let b20 = B[pb + 2u * N4 + c0]; let b21 = B[pb + 2u * N4 + c1];
    let b30 = B[pb + 3u * N4 + c0]; let b31 = B[pb + 3u * N4 + c1];
    let a0 = A[pa0.x + k]; let a1 = A[pa0.y + k]; let a2 = A[pa0.z + k]; let a3 = A[pa0.w + k];
    let a4 = A[pa1.x + k]; let a5 = A[pa1.y + k]; let a6 = A[pa1.z + k]; let a7 = A[pa1.w + k];
    acc00 = mad4(acc00, a0, b00, b10, b20, b30); acc01 = mad4(acc01, a0, b01, b11, b21, b31);
    acc10 = mad4(acc10, a1, b00, b10, b20, b30); acc11 = mad4(acc11, a1, b01, b11, b21, b31);
    acc20 = mad4(acc20, a2, b00, b10, b20, b30); acc21 = mad4(acc21, a2, b01, b11, b21, b31);
    acc30 = mad4(acc30, a3, b00, b10, b20, b30); acc31 = mad4(acc31, a3, b01, b11, b21, b31);
    acc40 = mad4(acc40, a4, b00, b10, b20, b30); acc41 = mad4(acc41, a4, b01, b11, b21, b31);
    acc50 = mad4(acc50, a5, b00, b10, b20, b30); acc51 = mad4(acc51, a5, b01, b11, b21, b31);
    acc60 = mad4(acc60, a6, b00, b10, b20, b30); acc61 = mad4(acc61, a6, b01, b11, b21, b31);
    acc70 = mad4(acc70, a7, b00, b10, b20, b30); acc71 = mad4(acc71, a7, b01, b11, b21, b31);
    pb += 4u * N4;
  }
  let rows = array<vec4<f32>, 16>(acc00, acc01, acc10, acc11, acc20, acc21, acc30, acc31, acc40, acc41, acc50, acc51, acc60, acc61, acc70, acc71);
  let base = b * M * N4;
  for (var i = 0u; i < 8u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    C[base + m * N4 + c0] = rows[2u * i];
    if (c0 + 1u < N4) { C[base + m * N4 + c0 + 1u] = rows[2u * i + 1u]; }
  }
}
