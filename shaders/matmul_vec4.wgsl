// Batched matmul C[b] = A[b] @ B[b] for row-major A [batch?, M, K] and B [batch?, K, N] with K and N
// multiples of 4, read as vec4. Register-blocked for CPU-like adapters (SwiftShader): each invocation
// computes a 16x8 block of C (16 rows x 2 vec4 columns) in registers; per step of 4 along K it loads
// 16 vec4 of A and 8 vec4 of B for 512 multiply-adds. No workgroup memory (barriers cost more than they
// save there). Why so big: on SwiftShader the loads, not the arithmetic, bound this kernel, so bigger
// blocks win (at 256^2: 8x8 2.2, 16x8 3.0 GFLOP/s; at 512^2 16x16 reaches 3.9), but the compile time of
// the unrolled body grows with them (about 150, 280, 630 ms) and the first training step pays it.
// Rows past M and columns past N are clamped for loading and dropped at the store: no branch in the loop.
// Params: M, N, K, A batch stride, B batch stride (0 to broadcast), in elements; z0.
// Workgroup: WG_X x WG_Y invocations (4x4 on CPU-like adapters, where a workgroup is what one thread runs,
// so small products still spread over every core; 8x8 on GPUs); z = batch (+ z0).
#include "common.wgsl"
#include "register_block.wgsl"

// acc += a.x * B row k + a.y * B row k+1 + ...: one row of A times four rows of a vec4 column of B.
fn mad4(acc: vec4<f32>, a: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
  return acc + a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3;
}

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M; let N = params.N; let K = params.K;
  let N4 = N / 4u;
  let K4 = K / 4u;
  let c0 = gid.x * 2u; // first vec4 column
  let m0 = gid.y * 16u;
  let b = gid.z + params.z0; // z0: the first matrix of this dispatch (src/runtime.ts runBatches)
  if (c0 >= N4 || m0 >= M) { return; }
  let aBase = b * params.sA / 4u;
  let last = M - 1u;
  let pa0 = clamped4(m0, last) * K4 + aBase;
  let pa1 = clamped4(m0 + 4u, last) * K4 + aBase;
  let pa2 = clamped4(m0 + 8u, last) * K4 + aBase;
  let pa3 = clamped4(m0 + 12u, last) * K4 + aBase;
  let c1 = min(c0 + 1u, N4 - 1u);
  var pb = b * params.sB / 4u;
  var acc: Block16x8; // zero-initialised (register_block.wgsl)
  for (var k = 0u; k < K4; k++) {
    // rows 4k .. 4k+3 of B at both vec4 columns
    let b00 = B[pb + c0]; let b01 = B[pb + c1];
    let b10 = B[pb + N4 + c0]; let b11 = B[pb + N4 + c1];
    let b20 = B[pb + 2u * N4 + c0]; let b21 = B[pb + 2u * N4 + c1];
    let b30 = B[pb + 3u * N4 + c0]; let b31 = B[pb + 3u * N4 + c1];
    let a0 = A[pa0.x + k]; let a1 = A[pa0.y + k]; let a2 = A[pa0.z + k]; let a3 = A[pa0.w + k];
    let a4 = A[pa1.x + k]; let a5 = A[pa1.y + k]; let a6 = A[pa1.z + k]; let a7 = A[pa1.w + k];
    let a8 = A[pa2.x + k]; let a9 = A[pa2.y + k]; let a10 = A[pa2.z + k]; let a11 = A[pa2.w + k];
    let a12 = A[pa3.x + k]; let a13 = A[pa3.y + k]; let a14 = A[pa3.z + k]; let a15 = A[pa3.w + k];
    acc.r0_0 = mad4(acc.r0_0, a0, b00, b10, b20, b30); acc.r0_1 = mad4(acc.r0_1, a0, b01, b11, b21, b31);
    acc.r1_0 = mad4(acc.r1_0, a1, b00, b10, b20, b30); acc.r1_1 = mad4(acc.r1_1, a1, b01, b11, b21, b31);
    acc.r2_0 = mad4(acc.r2_0, a2, b00, b10, b20, b30); acc.r2_1 = mad4(acc.r2_1, a2, b01, b11, b21, b31);
    acc.r3_0 = mad4(acc.r3_0, a3, b00, b10, b20, b30); acc.r3_1 = mad4(acc.r3_1, a3, b01, b11, b21, b31);
    acc.r4_0 = mad4(acc.r4_0, a4, b00, b10, b20, b30); acc.r4_1 = mad4(acc.r4_1, a4, b01, b11, b21, b31);
    acc.r5_0 = mad4(acc.r5_0, a5, b00, b10, b20, b30); acc.r5_1 = mad4(acc.r5_1, a5, b01, b11, b21, b31);
    acc.r6_0 = mad4(acc.r6_0, a6, b00, b10, b20, b30); acc.r6_1 = mad4(acc.r6_1, a6, b01, b11, b21, b31);
    acc.r7_0 = mad4(acc.r7_0, a7, b00, b10, b20, b30); acc.r7_1 = mad4(acc.r7_1, a7, b01, b11, b21, b31);
    acc.r8_0 = mad4(acc.r8_0, a8, b00, b10, b20, b30); acc.r8_1 = mad4(acc.r8_1, a8, b01, b11, b21, b31);
    acc.r9_0 = mad4(acc.r9_0, a9, b00, b10, b20, b30); acc.r9_1 = mad4(acc.r9_1, a9, b01, b11, b21, b31);
    acc.r10_0 = mad4(acc.r10_0, a10, b00, b10, b20, b30); acc.r10_1 = mad4(acc.r10_1, a10, b01, b11, b21, b31);
    acc.r11_0 = mad4(acc.r11_0, a11, b00, b10, b20, b30); acc.r11_1 = mad4(acc.r11_1, a11, b01, b11, b21, b31);
    acc.r12_0 = mad4(acc.r12_0, a12, b00, b10, b20, b30); acc.r12_1 = mad4(acc.r12_1, a12, b01, b11, b21, b31);
    acc.r13_0 = mad4(acc.r13_0, a13, b00, b10, b20, b30); acc.r13_1 = mad4(acc.r13_1, a13, b01, b11, b21, b31);
    acc.r14_0 = mad4(acc.r14_0, a14, b00, b10, b20, b30); acc.r14_1 = mad4(acc.r14_1, a14, b01, b11, b21, b31);
    acc.r15_0 = mad4(acc.r15_0, a15, b00, b10, b20, b30); acc.r15_1 = mad4(acc.r15_1, a15, b01, b11, b21, b31);
    pb += 4u * N4;
  }
  let rows = block_rows(acc);
  let base = b * M * N4;
  for (var i = 0u; i < 16u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    C[base + m * N4 + c0] = rows[2u * i];
    if (c0 + 1u < N4) { C[base + m * N4 + c0 + 1u] = rows[2u * i + 1u]; }
  }
}
